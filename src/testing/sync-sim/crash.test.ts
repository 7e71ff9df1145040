/**
 * Failure test 3 of docs/sync.md: a crash at each step of seal, send, apply and cursor loses nothing, applies nothing
 * twice and never reuses a deviceSeq; a relay restart between appends keeps a consistent log.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createSim, type Sim } from './sim.js';
import type { SimDevice } from './device.js';

const say = (d: SimDevice, text: string): void => {
  const conv = d.conversations.latest('creator') ?? d.conversations.create('creator');
  d.conversations.append({ conversationId: conv.id, turnId: text, role: 'user', text, status: 'complete', meta: {} });
};
const texts = (d: SimDevice): string[] =>
  d.db.prepare('SELECT text FROM messages ORDER BY hlc').pluck().all() as string[];

describe('sync crash safety', () => {
  let sim: Sim;
  afterEach(async () => sim?.close());

  const setup = async (): Promise<[SimDevice, SimDevice]> => {
    sim = await createSim({ seed: 3, devices: 2 });
    await sim.setupVault();
    await sim.quiesce(2);
    return sim.devices as [SimDevice, SimDevice];
  };

  it('crash inside sealing rolls back whole: no deviceSeq consumed, nothing lost', async () => {
    const [a, b] = await setup();
    say(a, 'one');
    a.db.exec(
      "CREATE TEMP TRIGGER boom BEFORE INSERT ON sync_batches BEGIN SELECT RAISE(ABORT, 'crash while sealing'); END",
    );
    await expect(a.sync.push()).rejects.toThrow(/crash while sealing/);
    const seqBefore = a.db.prepare("SELECT value FROM meta WHERE key = 'sync_device_seq'").pluck().get();
    const a2 = a.reopen();
    sim.devices[0] = a2;
    expect(a2.db.prepare("SELECT value FROM meta WHERE key = 'sync_device_seq'").pluck().get()).toBe(seqBefore);
    await a2.sync.sync();
    await b.sync.sync();
    expect(texts(b)).toEqual(['one']);
  });

  it('crash after sealing, before sending: the same bytes are sent after restart', async () => {
    const [a, b] = await setup();
    say(a, 'two');
    sim.net.partition(a.name, true);
    await expect(a.sync.push({ budgetMs: 0 })).rejects.toThrow();
    const sealed = a.db.prepare('SELECT hash FROM sync_batches WHERE relay_seq IS NULL').pluck().all();
    expect(sealed).toHaveLength(1);
    const a2 = a.reopen();
    sim.devices[0] = a2;
    sim.net.partition(a.name, false);
    await a2.sync.push();
    expect(
      sim.store.db
        .prepare('SELECT hash FROM log WHERE device_id = ? ORDER BY seq DESC LIMIT 1')
        .pluck()
        .get(a2.deviceId),
    ).toBe(sealed[0]);
    await b.sync.sync();
    expect(texts(b)).toEqual(['two']);
  });

  it('lost push response then restart: resent as a duplicate, stored once', async () => {
    const [a, b] = await setup();
    say(a, 'three');
    sim.net.faults.dropResponse = 1;
    await expect(a.sync.push({ budgetMs: 0 })).rejects.toThrow(/pending/);
    sim.net.faults.dropResponse = 0;
    const a2 = a.reopen();
    sim.devices[0] = a2;
    const r = await a2.sync.push();
    expect(r.duplicates).toBe(1);
    expect(r.sent).toBe(0);
    await b.sync.sync();
    await a2.sync.sync();
    expect(texts(b)).toEqual(['three']);
    expect((await a2.sync.status()).pendingChanges).toBe(0);
  });

  it('crash while applying a batch: nothing half-applied, cursor unchanged, applied once after restart', async () => {
    const [a, b] = await setup();
    say(a, 'four');
    a.state.adjust({ trust: 0.1 }, 'x');
    await a.sync.push();
    const cursor = b.db.prepare("SELECT value FROM meta WHERE key = 'sync_cursor'").pluck().get();
    const trustBefore = b.state.read().trust;
    b.db.exec(
      "CREATE TEMP TRIGGER boom BEFORE INSERT ON messages BEGIN SELECT RAISE(ABORT, 'crash while applying'); END",
    );
    await expect(b.sync.pull()).rejects.toThrow(/crash while applying/);
    expect(b.db.prepare("SELECT value FROM meta WHERE key = 'sync_cursor'").pluck().get()).toBe(cursor);
    expect(b.state.read().trust).toBe(trustBefore);
    const b2 = b.reopen();
    sim.devices[1] = b2;
    await b2.sync.pull();
    await b2.sync.pull();
    expect(texts(b2)).toEqual(['four']);
    expect(b2.state.read().trust).toBeCloseTo(a.state.read().trust, 10);
  });

  it('a relay restart between appends keeps one consistent log', async () => {
    const [a, b] = await setup();
    say(a, 'five');
    await a.sync.push();
    await sim.restartRelay();
    say(a, 'six');
    say(b, 'seven');
    await a.sync.sync();
    await b.sync.sync();
    await a.sync.sync();
    expect(texts(a)).toEqual(texts(b));
    expect(texts(b)).toHaveLength(3);
    const seqs = sim.store.db.prepare('SELECT seq FROM log ORDER BY seq').pluck().all() as number[];
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
  });
});
