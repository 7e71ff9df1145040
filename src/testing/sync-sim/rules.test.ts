/** Failure tests 9 and 10 of docs/sync.md: the per-type conflict rules, and clock jumps and drift. */
import { CAPABILITIES } from '../../core/devices/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import { createSim, type Sim } from './sim.js';
import type { SimDevice } from './device.js';

describe('sync conflict rules and clocks', () => {
  let sim: Sim;
  afterEach(async () => sim?.close());

  const setup = async (n = 2, skews: number[] = []): Promise<SimDevice[]> => {
    sim = await createSim({ seed: 10, devices: 0 });
    for (let i = 0; i < n; i++) sim.addDevice(`dev${i}`, skews[i] ?? 0);
    await sim.setupVault();
    await sim.quiesce(2);
    return sim.devices;
  };
  const both = async (): Promise<void> => {
    for (const d of sim.devices) await d.sync.sync();
    for (const d of sim.devices) await d.sync.sync();
  };

  it('limbic: last writer wins per field, independently', async () => {
    const [a, b] = (await setup()) as [SimDevice, SimDevice];
    a.state.adjust({ trust: 0.1 }, 'a');
    sim.clock.advance(10);
    b.state.adjust({ warmth: -0.1 }, 'b');
    sim.clock.advance(10);
    a.state.adjust({ valence: 0.1 }, 'a');
    await both();
    const sa = a.state.read();
    const sb = b.state.read();
    expect(sb.trust).toBeCloseTo(sa.trust, 12);
    expect(sb.warmth).toBeCloseTo(0.54, 12);
    expect(sa.warmth).toBeCloseTo(0.54, 12);
    expect(sa.valence).toBeCloseTo(0.55, 12);
    expect(a.dump()).toBe(b.dump());
  });

  it('heritage: last writer wins per field, each applied change is a version, long losers are kept', async () => {
    const [a, b] = (await setup()) as [SimDevice, SimDevice];
    const base = a.heritage.current().doc;
    const longA = 'a'.repeat(300);
    a.heritage.update({ ...base, notes: longA, style: 'terse' }, 'a');
    sim.clock.advance(10);
    b.heritage.update({ ...b.heritage.current().doc, notes: 'b is newer' }, 'b');
    const versionsBefore = b.heritage.history().length;
    await both();
    expect(a.heritage.current().doc.notes).toBe('b is newer');
    expect(b.heritage.current().doc.style).toBe('terse');
    expect(b.heritage.history().length).toBeGreaterThan(versionsBefore);
    const copies = a.db
      .prepare("SELECT value FROM sync_conflicts WHERE coll = 'heritage' AND field = 'notes'")
      .pluck()
      .all() as string[];
    expect(copies.map((v) => JSON.parse(v))).toContain(longA);
    const copiesB = b.db
      .prepare("SELECT value FROM sync_conflicts WHERE coll = 'heritage' AND field = 'notes'")
      .pluck()
      .all() as string[];
    expect(copiesB.map((v) => JSON.parse(v))).toContain(longA);
    expect(a.dump()).toBe(b.dump());
  });

  it('memory: add-wins by id, last writer wins per field, forget wins over a later edit', async () => {
    const [a, b] = (await setup()) as [SimDevice, SimDevice];
    const m1 = a.addMemory('first text');
    const m2 = a.addMemory('second text');
    await both();
    a.editMemory(m1, 'edited on a');
    sim.clock.advance(10);
    b.editMemory(m1, 'edited on b');
    b.forgetMemory(m2);
    sim.clock.advance(10);
    a.editMemory(m2, 'edited after the forget, on a');
    await both();
    const row = (d: SimDevice, id: string): { text: string; status: string } =>
      d.db.prepare('SELECT text, status FROM memories WHERE id = ?').get(id) as { text: string; status: string };
    expect(row(a, m1).text).toBe('edited on b');
    expect(row(a, m2)).toEqual({ text: '', status: 'forgotten' });
    expect(row(b, m2)).toEqual({ text: '', status: 'forgotten' });
    expect(a.db.prepare('SELECT count(*) FROM memory_revisions WHERE memory_id = ?').pluck().get(m2)).toBe(0);
    expect(a.dump()).toBe(b.dump());
  });

  it('messages: append-only, both sides kept, ordered by (hlc, device)', async () => {
    const [a, b] = (await setup()) as [SimDevice, SimDevice];
    const conv = a.conversations.create('creator');
    await both();
    for (let i = 0; i < 3; i++) {
      a.conversations.append({
        conversationId: conv.id,
        turnId: `a${i}`,
        role: 'user',
        text: `a${i}`,
        status: 'complete',
        meta: {},
      });
      b.conversations.append({
        conversationId: conv.id,
        turnId: `b${i}`,
        role: 'assistant',
        text: `b${i}`,
        status: 'complete',
        meta: {},
      });
      sim.clock.advance(5);
    }
    await both();
    const order = (d: SimDevice): string[] =>
      d.db.prepare('SELECT text FROM messages ORDER BY hlc').pluck().all() as string[];
    expect(order(a)).toHaveLength(6);
    expect(order(a)).toEqual(order(b));
  });

  it('devices: revocation wins over a concurrent rename', async () => {
    const [a, b] = (await setup()) as [SimDevice, SimDevice];
    // Changing another device's record needs admin (a member's rename would be dropped as beyond its capabilities).
    await a.sync.setCaps(b.deviceId, [...CAPABILITIES]);
    const { device } = a.devices.add('tablet', ['chat']);
    await both();
    b.devices.rename(device.id, 'renamed tablet');
    a.devices.revoke(device.id);
    await both();
    for (const d of [a, b]) expect(d.devices.get(device.id).revokedAt).not.toBeNull();
    expect(a.devices.get(device.id).name).toBe(b.devices.get(device.id).name);
  });

  it('a clock far ahead is quarantined until real time catches up; wall-clock jumps back keep HLCs monotonic', async () => {
    const [a, b] = (await setup(2, [0, 0])) as [SimDevice, SimDevice];
    // b's wall clock jumps 10 minutes ahead.
    const fast = sim.addDevice('fast', 10 * 60_000);
    const vaultId = (await a.sync.status()).vaultId as string;
    await fast.sync.join('http://relay.sim', vaultId, 'correct horse battery staple');
    await a.sync.approve(fast.deviceId);
    fast.addMemory('from the future');
    await fast.sync.sync();
    await b.sync.pull();
    expect(b.db.prepare('SELECT count(*) FROM memories').pluck().get()).toBe(0);
    expect((await b.sync.status()).parked).toEqual([{ reason: 'clock', count: 1 }]);
    sim.clock.advance(6 * 60_000);
    await b.sync.pull();
    expect(b.db.prepare('SELECT text FROM memories').pluck().all()).toEqual(['from the future']);
    // Backwards jump on a: its new changes still get later HLCs than everything it has seen.
    const before = a.db.prepare("SELECT value FROM meta WHERE key = 'hlc_last'").pluck().get() as string;
    sim.clock.set(sim.clock.now() - 3_600_000);
    a.addMemory('after the jump back');
    const after = a.db.prepare("SELECT value FROM meta WHERE key = 'hlc_last'").pluck().get() as string;
    expect(after > before).toBe(true);
  });
});

describe('sync device capabilities', () => {
  let sim: Sim;
  afterEach(async () => sim?.close());

  it('a device without memory:write cannot change memories on others; the relay enforces caps at once', async () => {
    sim = await createSim({ seed: 12, devices: 2 });
    await sim.setupVault();
    const [a, b] = sim.devices as [SimDevice, SimDevice];
    await a.sync.setCaps(b.deviceId, ['chat', 'sync:push', 'sync:pull']);
    b.addMemory('b may not write memories');
    const conv = b.conversations.create('creator');
    b.conversations.append({
      conversationId: conv.id,
      turnId: 't',
      role: 'user',
      text: 'but b may chat',
      status: 'complete',
      meta: {},
    });
    await b.sync.sync();
    await a.sync.sync();
    expect(a.db.prepare('SELECT count(*) FROM memories').pluck().get()).toBe(0);
    expect(a.db.prepare('SELECT text FROM messages').pluck().all()).toEqual(['but b may chat']);
    expect((await a.sync.status()).alarms.map((x) => x.kind)).toContain('forbidden');
    await a.sync.setCaps(b.deviceId, ['sync:pull']);
    b.conversations.append({
      conversationId: conv.id,
      turnId: 't2',
      role: 'user',
      text: 'no push now',
      status: 'complete',
      meta: {},
    });
    await expect(b.sync.push()).rejects.toMatchObject({ code: 'SYNC_FORBIDDEN' });
  });
});
