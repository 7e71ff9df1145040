/**
 * Failure tests 1, 2 and 4 of docs/sync.md: convergence under random operations, partitions, lost requests and
 * responses, duplicates, 5xx and any interleaving (byte-equal final states, ≥ 3 devices, seeded).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { randomOp } from './ops.js';
import { pick } from './random.js';
import { createSim, type Sim } from './sim.js';

describe('sync convergence (property, seeded)', () => {
  let sim: Sim | undefined;
  afterEach(async () => {
    await sim?.close();
    sim = undefined;
  });

  for (const seed of [11, 23, 37, 41, 59]) {
    it(`converges byte-equal with 3–4 devices under faults (seed ${seed})`, async () => {
      sim = await createSim({ seed, devices: 3 + (seed % 2) });
      await sim.setupVault();
      sim.net.faults.dropRequest = 0.05;
      sim.net.faults.dropResponse = 0.08;
      sim.net.faults.duplicate = 0.08;
      sim.net.faults.serverError = 0.05;
      const r = sim.random;
      let appended = 0;
      for (let step = 0; step < 120; step++) {
        const d = pick(r, sim.devices);
        const x = r();
        if (x < 0.65 && randomOp(d, r) === 'message.append') appended++;
        else if (x < 0.7) sim.net.partition(d.name, r() < 0.5);
        else {
          const which = pick(r, ['push', 'pull', 'sync'] as const);
          try {
            await d.sync[which]({ budgetMs: 5_000 });
          } catch {
            // partitions and faults make single runs fail; the queue must survive them
          }
        }
        sim.clock.advance(Math.floor(r() * 5_000));
      }
      for (const d of sim.devices) sim.net.partition(d.name, false);
      await sim.quiesce(3);
      const dumps = sim.devices.map((d) => d.dump());
      for (const dump of dumps) expect(dump).toBe(dumps[0]);
      for (const d of sim.devices) {
        const st = await d.sync.status();
        expect(st.pendingChanges).toBe(0);
        expect(st.alarms).toEqual([]);
      }
      // exactly once: every appended message exists once on every device, despite duplicates and lost responses
      for (const d of sim.devices) expect(d.db.prepare('SELECT count(*) FROM messages').pluck().get()).toBe(appended);
    }, 60_000);
  }

  it('an offline queue of 1,000 changes over several runs arrives complete and in order', async () => {
    sim = await createSim({ seed: 5, devices: 3 });
    await sim.setupVault();
    const [a, b] = sim.devices as [NonNullable<Sim['devices'][0]>, NonNullable<Sim['devices'][0]>];
    const conv = a.conversations.create('creator');
    sim.net.partition(a.name, true);
    for (let run = 0; run < 4; run++) {
      for (let i = 0; i < 250; i++)
        a.conversations.append({
          conversationId: conv.id,
          turnId: `t${run}-${i}`,
          role: 'user',
          text: `message ${run * 250 + i}`,
          status: 'complete',
          meta: {},
        });
      await expect(a.sync.push({ budgetMs: 2_000 })).rejects.toThrow(/pending/);
    }
    expect((await a.sync.status()).pendingChanges).toBeGreaterThanOrEqual(1000);
    sim.net.partition(a.name, false);
    await a.sync.sync();
    await b.sync.sync();
    const texts = b.db
      .prepare('SELECT text FROM messages WHERE conversation_id = ? ORDER BY hlc')
      .pluck()
      .all(conv.id) as string[];
    expect(texts).toHaveLength(1000);
    expect(texts).toEqual(Array.from({ length: 1000 }, (_, i) => `message ${i}`));
  }, 60_000);
});
