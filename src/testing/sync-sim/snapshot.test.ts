/** Snapshots: a new device starts from the newest one and pulls only after it; a stale one served by the relay is caught. */
import { afterEach, describe, expect, it } from 'vitest';
import { SNAPSHOT_LIMITS } from '../../core/sync/snapshot.js';
import { createSim, SIM_PASSPHRASE, SIM_RELAY, type Sim } from './sim.js';
import type { SimDevice } from './device.js';

describe('sync snapshots', () => {
  let sim: Sim;
  const unsized = SNAPSHOT_LIMITS.unsized;
  afterEach(async () => {
    SNAPSHOT_LIMITS.unsized = unsized;
    await sim?.close();
  });

  const busy = async (a: SimDevice, n: number, tag: string): Promise<void> => {
    const conv = a.conversations.latest('creator') ?? a.conversations.create('creator');
    for (let i = 0; i < n; i++) {
      a.addMemory(`${tag} memory ${i}`);
      a.conversations.append({
        conversationId: conv.id,
        turnId: `${tag}${i}`,
        role: 'user',
        text: `${tag} message ${i}`,
        status: 'complete',
        meta: {},
      });
      if (i % 3 === 0) a.state.adjust({ warmth: 0.01 }, 'x');
      await a.sync.push();
    }
  };

  it('a new device loads the newest snapshot, then only the log after it, and converges', async () => {
    sim = await createSim({ seed: 21, devices: 2 });
    await sim.setupVault();
    const [a, b] = sim.devices as [SimDevice, SimDevice];
    await busy(a, 20, 'early');
    const m = a.addMemory('to be forgotten');
    a.forgetMemory(m);
    await a.sync.sync();
    await b.sync.sync();
    await a.sync.sync();
    const snap = await a.sync.snapshot();
    expect(snap.seq).toBeGreaterThan(20);
    await busy(a, 3, 'late');
    const c = sim.addDevice('dev2');
    await c.sync.join(SIM_RELAY, (await a.sync.status()).vaultId as string, SIM_PASSPHRASE);
    await a.sync.approve(c.deviceId);
    const pulled = await c.sync.pull();
    expect(pulled.applied).toBeLessThanOrEqual(6);
    await c.sync.sync();
    await a.sync.sync();
    await b.sync.sync();
    await c.sync.pull();
    expect(c.dump()).toBe(a.dump());
    expect(b.dump()).toBe(a.dump());
    expect((await c.sync.status()).alarms).toEqual([]);
  });

  it('a stale snapshot served by the relay is detected; the device heals once the relay serves the newest', async () => {
    sim = await createSim({ seed: 22, devices: 1 });
    await sim.setupVault();
    const [a] = sim.devices as [SimDevice];
    await busy(a, 5, 'one');
    await a.sync.sync();
    await a.sync.snapshot();
    const old = sim.store.getSnapshot((await a.sync.status()).vaultId as string)!;
    await busy(a, 5, 'two');
    await a.sync.sync();
    await a.sync.snapshot(); // compacts the log up to it, so the old snapshot no longer reaches the log
    sim.net.tamper = (req, res) =>
      req.method === 'GET' && req.url.endsWith('/snapshot')
        ? { ...res, body: JSON.stringify({ seq: old.seq, deviceId: old.deviceId, data: old.data.toString('base64') }) }
        : res;
    const c = sim.addDevice('late');
    await c.sync.join(SIM_RELAY, (await a.sync.status()).vaultId as string, SIM_PASSPHRASE);
    await a.sync.approve(c.deviceId);
    const stopped = await c.sync.pull();
    expect(stopped.stalled?.kind).toBe('compacted');
    expect((await c.sync.status()).alarms.map((x) => x.kind)).toContain('compacted');
    // Once the relay serves its newest snapshot again, the next pull goes on from it and converges.
    sim.net.tamper = undefined;
    const healed = await c.sync.pull();
    expect(healed.stalled).toBeUndefined();
    await c.sync.sync();
    await a.sync.sync();
    expect(c.dump()).toBe(a.dump());
  });

  it('a snapshot is read up to the size it states, not a fixed limit: one far past the old limit loads', async () => {
    // The fixed limit scaled down as a million memories and messages (~570 MB of body) overflowed the old 512 MiB.
    SNAPSHOT_LIMITS.unsized = 1024;
    sim = await createSim({ seed: 23, devices: 1 });
    await sim.setupVault();
    const [a] = sim.devices as [SimDevice];
    a.addMemory('a memory on two lines,\nwith a comma at the end of the first, "quotes" and ünïcode');
    await busy(a, 30, 'many');
    await a.sync.sync();
    await a.sync.snapshot();
    const c = sim.addDevice('late');
    await c.sync.join(SIM_RELAY, (await a.sync.status()).vaultId as string, SIM_PASSPHRASE);
    await a.sync.approve(c.deviceId);
    const pulled = await c.sync.pull();
    expect(pulled.stalled).toBeUndefined();
    expect((await c.sync.status()).alarms).toEqual([]);
    await c.sync.sync();
    await a.sync.sync();
    expect(c.dump()).toBe(a.dump());
  });
});
