/**
 * The Qdrant store against the Qdrant TEST DOUBLE (src/testing/qdrant-double.ts): collection setup, request batching,
 * keep-alive reuse, retries (5xx, 429 Retry-After), permanent errors, and dimension checks. AMNESIA and replay are in
 * amnesia.test.ts; the shared contract in contract.test.ts.
 */
import { describe, expect, it, vi } from 'vitest';
import type { ProgenyError } from '../../errors.js';
import { startQdrantTestDouble } from '../../../testing/qdrant-double.js';
import { DIMS, point, storeFixture, unitVector, eachWithQdrantDouble } from '../../../testing/qdrant-store-fixture.js';

const env = eachWithQdrantDouble((url) => storeFixture(url));

const upsertRequests = (): number => env.double.requests.filter((r) => r.route === 'upsert').length;

describe('Qdrant store: setup', () => {
  it('creates the collection with the embedder dimension, cosine distance and the payload indexes', async () => {
    const s = env.fx.make();
    await s.open();
    const c = env.double.collections.get('memories_test');
    expect(c?.size).toBe(DIMS);
    expect(c?.distance).toBe('Cosine');
    expect([...(c?.indexes.keys() ?? [])].sort()).toEqual(['actor', 'created_at', 'kind', 'salience']);
    // A second open finds the collection and creates nothing.
    const before = env.double.requests.filter((r) => r.route === 'create').length;
    await env.fx.make().open();
    expect(env.double.requests.filter((r) => r.route === 'create').length).toBe(before);
  });

  it('refuses a collection of another dimension with a clear error and a hint, and never pads', async () => {
    await env.fx.make({ embedder: { id: 'small/8', dimensions: 8 } }).open();
    const err = await env.fx
      .make()
      .open()
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'QDRANT_DIMENSION_MISMATCH', exitCode: 3 });
    expect(String((err as Error).message)).toMatch(/8-dimensional.*16-dimensional/);
    expect((err as ProgenyError).actions).toEqual([{ action: 'memory.migrate', args: { to: 'qdrant' } }]);
  });

  it('rejects a vector of the wrong length before sending it', async () => {
    const s = env.fx.make();
    await s.open();
    await expect(s.upsert([point(1, { dims: 8 })])).rejects.toMatchObject({ code: 'QDRANT_DIMENSION_MISMATCH' });
    expect(upsertRequests()).toBe(0);
  });

  it('sends the API key as a header', async () => {
    await env.double.close();
    env.double = await startQdrantTestDouble({ apiKey: 'sekret' });
    const refused = storeFixture(env.double.url);
    await expect(refused.make().open()).rejects.toMatchObject({ code: 'QDRANT_REQUEST' });
    const s = storeFixture(env.double.url).make({ apiKey: 'sekret' });
    await s.open();
    await s.upsert([point(1)]);
    expect(env.double.requests.at(-1)?.headers['api-key']).toBe('sekret');
    refused.cleanup();
  });
});

describe('Qdrant store: write batching', () => {
  it('coalesces concurrent single-point writes into one batch upsert with wait=true', async () => {
    const s = env.fx.make({ batchSize: 256, batchMs: 20 });
    await s.open();
    await Promise.all(Array.from({ length: 100 }, (_, i) => s.upsert([point(i + 1)])));
    expect(upsertRequests()).toBe(1);
    const req = env.double.requests.find((r) => r.route === 'upsert');
    expect(req?.query.wait).toBe('true');
    expect((req?.body as { points: unknown[] }).points).toHaveLength(100);
    expect(await s.count()).toBe(100);
  });

  it('flushes at the batch size', async () => {
    const s = env.fx.make({ batchSize: 50, batchMs: 10_000 });
    await s.open();
    const written = s.upsert(Array.from({ length: 120 }, (_, i) => point(i + 1)));
    // 50 + 50 go at once by size; the last 20 wait for the (long) timer, until flush() sends them.
    await vi.waitFor(() => expect(upsertRequests()).toBe(2));
    await new Promise((r) => setTimeout(r, 50));
    expect(upsertRequests()).toBe(2);
    await s.flush();
    await written;
    expect(upsertRequests()).toBe(3);
    expect(await s.count()).toBe(120);
  });

  it('keeps order: a remove queued after an upsert of the same point wins', async () => {
    const s = env.fx.make({ batchMs: 20 });
    await s.open();
    await Promise.all([s.upsert([point(1), point(2)]), s.remove([{ id: point(1).id, label: 1 }])]);
    expect(await s.count()).toBe(1);
    const hits = await s.search(unitVector(1), { limit: 5, filter: {} });
    expect(hits.map((h) => h.id)).toEqual([point(2).id]);
  });

  it('reuses one keep-alive connection for sequential requests', async () => {
    const s = env.fx.make({ batchMs: 0 });
    await s.open();
    for (let i = 1; i <= 20; i++) await s.upsert([point(i)]);
    const conns = new Set(env.double.requests.filter((r) => r.route === 'upsert').map((r) => r.connection));
    expect(upsertRequests()).toBe(20);
    expect(conns.size).toBe(1);
  });
});

describe('Qdrant store: search', () => {
  it('filters by actor and kinds and returns candidates with their vectors and cosine similarity', async () => {
    const s = env.fx.make();
    await s.open();
    await s.upsert([point(1), point(2, { actor: 'other' }), point(3, { kind: 'summary' }), point(4)]);
    const all = await s.search(unitVector(1), { limit: 10, filter: {} });
    expect(all[0]?.id).toBe(point(1).id);
    expect(all[0]?.similarity).toBeCloseTo(1, 5);
    expect(all[0]?.vector).toBeInstanceOf(Float32Array);
    expect(all[0]?.vector.length).toBe(DIMS);
    const mine = await s.search(unitVector(2), { limit: 10, filter: { actor: 'creator' } });
    expect(mine.map((h) => h.id).sort()).toEqual([point(1).id, point(3).id, point(4).id]);
    const summaries = await s.search(unitVector(1), { limit: 10, filter: { actor: 'creator', kinds: ['summary'] } });
    expect(summaries.map((h) => h.id)).toEqual([point(3).id]);
    const q = env.double.requests.filter((r) => r.route === 'query').at(-1)?.body as Record<string, unknown>;
    expect(q.with_vector).toBe(true);
    expect(q.filter).toEqual({
      must: [
        { key: 'actor', match: { value: 'creator' } },
        { key: 'kind', match: { any: ['summary'] } },
      ],
    });
  });
});

describe('Qdrant store: retries', () => {
  it('retries 5xx with backoff and succeeds', async () => {
    const s = env.fx.make();
    await s.open();
    env.double.fail({ status: 503 }, { times: 2, route: 'upsert' });
    await s.upsert([point(1)]);
    expect(upsertRequests()).toBe(3);
    expect(await s.count()).toBe(1);
  });

  it('waits for Retry-After on 429', async () => {
    const s = env.fx.make();
    await s.open();
    env.double.fail({ status: 429, retryAfter: '1' }, { times: 1, route: 'query' });
    const t0 = performance.now();
    await s.search(unitVector(1), { limit: 1, filter: {} });
    expect(performance.now() - t0).toBeGreaterThanOrEqual(950);
    expect(env.double.requests.filter((r) => r.route === 'query')).toHaveLength(2);
  });

  it('does not retry a request Qdrant rejects (4xx), and reports its message', async () => {
    const s = env.fx.make();
    await s.open();
    env.double.fail({ status: 400 }, { times: 1, route: 'upsert' });
    await expect(s.upsert([point(1)])).rejects.toMatchObject({
      code: 'QDRANT_REQUEST',
      message: expect.stringMatching(/HTTP 400/) as unknown,
    });
    expect(upsertRequests()).toBe(1);
  });
});
