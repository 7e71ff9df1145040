/**
 * AMNESIA against the Qdrant TEST DOUBLE: when Qdrant goes away, writes are acknowledged once durable in the SQLite
 * replay queue, searches fail fast, probe says ok=false, and on recovery the queue is replayed in order: by the
 * background loop, by probe, and by a fresh store opened on the same database after a restart.
 */
import { describe, expect, it, vi } from 'vitest';
import { ReplayQueue } from './replay-queue.js';
import { point, storeFixture, unitVector, eachWithQdrantDouble } from '../../../testing/qdrant-store-fixture.js';

const env = eachWithQdrantDouble((url) => storeFixture(url));

const queued = (): number => new ReplayQueue(env.fx.db, 'memories_test').size();
const pointsInDouble = (): number => env.double.collections.get('memories_test')?.points.size ?? 0;

describe('Qdrant store: AMNESIA and replay', () => {
  it('queues writes durably while Qdrant is down and replays them in order when it is back', async () => {
    const health: boolean[] = [];
    const s = env.fx.make({ recoverBaseMs: 10_000, onHealthChange: (ok) => health.push(ok) });
    await s.open();
    await s.upsert([point(1)]);
    await env.double.setDown(true);

    // The first write after the outage pays for the retries, then the store is in AMNESIA.
    await s.upsert([point(2), point(3)]);
    expect(health).toEqual([false]);
    expect(queued()).toBe(2);
    await s.remove([{ id: point(3).id, label: 3 }]);
    await s.upsert([point(4)]);
    expect(queued()).toBe(4);
    await expect(s.search(unitVector(1), { limit: 3, filter: {} })).rejects.toMatchObject({
      code: 'QDRANT_UNAVAILABLE',
    });
    const down = await s.probe();
    expect(down.ok).toBe(false);
    expect(down.detail).toMatch(/AMNESIA.*4 writes queued/);

    await env.double.setDown(false);
    const up = await s.probe();
    expect(up).toMatchObject({ ok: true, count: 3 });
    expect(health).toEqual([false, true]);
    expect(queued()).toBe(0);
    const ids = [...(env.double.collections.get('memories_test')?.points.values() ?? [])]
      .map((p) => p.payload.memory_id)
      .sort();
    expect(ids).toEqual([point(1).id, point(2).id, point(4).id]);
  });

  it('recovers in the background with backoff, without anyone probing', async () => {
    const health: boolean[] = [];
    const s = env.fx.make({ recoverBaseMs: 20, recoverMaxMs: 50, onHealthChange: (ok) => health.push(ok) });
    await s.open();
    await env.double.setDown(true);
    await s.upsert([point(7)]);
    expect(health).toEqual([false]);
    await new Promise((r) => setTimeout(r, 150));
    await env.double.setDown(false);
    await vi.waitFor(() => expect(health).toEqual([false, true]), { timeout: 3_000 });
    expect(pointsInDouble()).toBe(1);
    expect((await s.search(unitVector(7), { limit: 1, filter: {} }))[0]?.id).toBe(point(7).id);
  });

  it('starts in AMNESIA when Qdrant is unreachable at open, and a restarted store replays the queue', async () => {
    await env.double.setDown(true);
    const health: boolean[] = [];
    const first = env.fx.make({ recoverBaseMs: 60_000, onHealthChange: (ok) => health.push(ok) });
    await first.open();
    expect(health).toEqual([false]);
    await first.upsert([point(1), point(2)]);
    await first.close();
    expect(queued()).toBe(2);

    await env.double.setDown(false);
    const second = env.fx.make();
    await second.open();
    expect(queued()).toBe(0);
    expect(await second.count()).toBe(2);
  });

  it('a host that accepts but never answers is AMNESIA after the short connect timeout, not the request timeout', async () => {
    env.double.failAlways({ delayMs: 5_000 });
    const s = env.fx.make({ timeoutMs: 30_000, connectTimeoutMs: 200, recoverBaseMs: 60_000 });
    const t0 = performance.now();
    await s.open();
    expect(performance.now() - t0).toBeLessThan(2_000);
    expect(s.healthy()).toBe(false);
    expect((await s.probe()).detail).toMatch(/AMNESIA.*timed out/);
    env.double.failAlways(undefined);
  });

  it('a healthy store drains writes another process queued, in order, before its own', async () => {
    const s = env.fx.make();
    await s.open();
    new ReplayQueue(env.fx.db, 'memories_test').push([
      { op: 'upsert', point: point(1) },
      { op: 'upsert', point: point(2) },
      { op: 'remove', id: point(1).id, label: 1 },
    ]);
    await s.upsert([point(3)]);
    expect(queued()).toBe(0);
    const ids = [...(env.double.collections.get('memories_test')?.points.values() ?? [])]
      .map((p) => p.payload.memory_id)
      .sort();
    expect(ids).toEqual([point(2).id, point(3).id]);
  });

  it('treats repeated 5xx like an outage, and a 429 longer than it will wait too', async () => {
    const s = env.fx.make({ recoverBaseMs: 60_000, maxRetryAfterMs: 2_000 });
    await s.open();
    env.double.failAlways({ status: 502 });
    await s.upsert([point(1)]);
    expect(queued()).toBe(1);
    env.double.failAlways(undefined);
    expect((await s.probe()).ok).toBe(true);
    env.double.fail({ status: 429, retryAfter: '5' }, { route: 'query' });
    await expect(s.search(unitVector(1), { limit: 1, filter: {} })).rejects.toMatchObject({
      code: 'QDRANT_UNAVAILABLE',
    });
    expect(env.double.requests.filter((r) => r.route === 'query')).toHaveLength(1);
  });
});
