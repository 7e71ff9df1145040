/**
 * Recovery after an alarm (issue 12, item 6; failure test 15 of docs/sync.md): a refused batch never moves the cursor
 * past it, so a repaired relay heals the device; a relay restored from a backup that reuses sequence numbers is an
 * alarm, and `recover` reads the relay's log again.
 */
import { copyFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { HttpResponse } from '../../core/sync/transport.js';
import type { SimDevice } from './device.js';
import { createSim, type Sim } from './sim.js';

const memoryTexts = (d: SimDevice): string[] =>
  (d.db.prepare('SELECT text FROM memories ORDER BY text').pluck().all() as string[]).filter((t) => t.startsWith('m '));
const alarmKinds = async (d: SimDevice): Promise<string[]> => (await d.sync.status()).alarms.map((a) => a.kind);

/** The relay serves the batch at `seq` to `device` with one byte of its signature flipped. */
function damage(sim: Sim, device: SimDevice, seq: number): void {
  sim.net.tamper = (req, res): HttpResponse => {
    if (req.method !== 'GET' || !req.url.includes('/batches?') || req.headers['x-progeny-device'] !== device.deviceId)
      return res;
    const page = JSON.parse(res.body) as { items: { seq: number; envelope: string }[] };
    for (const it of page.items) {
      if (it.seq !== seq) continue;
      const env = Buffer.from(it.envelope, 'base64');
      env[env.length - 5] = (env[env.length - 5] as number) ^ 0xff;
      it.envelope = env.toString('base64');
    }
    return { ...res, body: JSON.stringify(page) };
  };
}

describe('recovery after an alarm', () => {
  let sim: Sim;
  afterEach(async () => sim?.close());

  it('a refused batch holds the cursor; once the relay is repaired the next pull applies it and all after it', async () => {
    sim = await createSim({ seed: 41, devices: 2 });
    await sim.setupVault();
    await sim.quiesce(1);
    const [a, b] = sim.devices as [SimDevice, SimDevice];
    for (const t of ['m one', 'm two', 'm three']) {
      a.addMemory(t);
      await a.sync.push();
    }
    const seqs = sim.store.db
      .prepare('SELECT seq FROM log WHERE device_id = ? ORDER BY seq DESC LIMIT 3')
      .pluck()
      .all(a.deviceId) as number[];
    const bad = Math.min(...seqs);
    damage(sim, b, bad);
    const first = await b.sync.pull();
    expect(first.stalled).toEqual({ seq: bad, kind: 'tampered' });
    const held = await b.sync.status();
    expect(held.cursor).toBe(bad - 1);
    expect(held.stalled).toEqual({ seq: bad, kind: 'tampered' });
    expect(memoryTexts(b)).toEqual([]);
    // Still damaged: the next pull asks for the same batch again and stops there again.
    expect((await b.sync.pull()).stalled?.seq).toBe(bad);

    sim.net.tamper = undefined; // the relay is repaired
    const healed = await b.sync.pull();
    expect(healed.stalled).toBeUndefined();
    expect(memoryTexts(b)).toEqual(['m one', 'm three', 'm two']);
    const after = await b.sync.status();
    expect(after.stalled).toBeNull();
    expect(after.parked).toEqual([]);
    expect(after.cursor).toBe(after.head);
    // The alarm stays on record until the user clears it.
    expect(await alarmKinds(b)).toEqual(['tampered']);
    expect((await b.sync.recover()).cleared).toBe(1);
    expect(await alarmKinds(b)).toEqual([]);
  });

  it('a relay restored from a backup reuses a seq: the pull stops with an alarm, and recover reads the log again', async () => {
    sim = await createSim({ seed: 42, devices: 3 });
    await sim.setupVault();
    await sim.quiesce(1);
    const [a, b, c] = sim.devices as [SimDevice, SimDevice, SimDevice];
    const db = join(sim.relayDir, 'relay.db');
    const backup = join(sim.relayDir, 'backup.db');
    sim.store.db.pragma('wal_checkpoint(TRUNCATE)');
    copyFileSync(db, backup);
    a.addMemory('m lost in the rollback');
    await a.sync.push();
    await b.sync.pull();
    expect(memoryTexts(b)).toEqual(['m lost in the rollback']);

    await sim.restartRelay(() => {
      for (const f of [db, `${db}-wal`, `${db}-shm`]) rmSync(f, { force: true });
      copyFileSync(backup, db);
    });
    c.addMemory('m written after the rollback'); // takes the seq the lost batch had
    await c.sync.push();
    b.addMemory('m written by b');
    await b.sync.push();
    const stopped = await b.sync.pull();
    expect(stopped.stalled?.kind).toBe('reuse');
    expect(await alarmKinds(b)).toContain('reuse');
    expect((await b.sync.status()).stalled?.kind).toBe('reuse');
    expect(memoryTexts(b)).not.toContain('m written after the rollback');

    const rec = await b.sync.recover();
    expect(rec.pull.stalled).toBeUndefined();
    expect(rec.pull.alarms).toEqual([]);
    expect(memoryTexts(b)).toContain('m written after the rollback');
    expect(await alarmKinds(b)).toEqual([]);
    // a pushes the batch the relay lost again; b takes it as expected, not as a replay, and everyone converges.
    await sim.quiesce(2);
    expect(await alarmKinds(b)).toEqual([]);
    expect(memoryTexts(c)).toEqual(memoryTexts(b));
    expect(memoryTexts(a)).toEqual(memoryTexts(b));
    expect(memoryTexts(b)).toHaveLength(3);
  });
});
