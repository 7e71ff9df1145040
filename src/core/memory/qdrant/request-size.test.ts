import { describe, expect, it } from 'vitest';
import { startQdrantTestDouble } from '../../../testing/qdrant-double.js';
import type { VectorPoint } from '../types.js';
import { toWire } from './wire.js';
import { encodedSizeBound, splitBySize } from './request-size.js';

const point = (label: number, dims: number): VectorPoint => ({
  id: `01JMEMORY${String(label).padStart(17, '0')}`,
  label,
  // Values whose doubles print long (…e-7, 17 significant digits): the worst case for the bound.
  vector: Float32Array.from({ length: dims }, (_, i) => (i % 2 ? -1 : 1) * (1.2345678e-7 + i * 1e-9)),
  payload: { actor: 'creator', kind: 'interaction', createdAt: 1_765_000_000_000, salience: 0.123456789 },
});

describe('upserts split by encoded size', () => {
  it('bounds a point from above, whatever its numbers print as', () => {
    for (const dims of [8, 768, 3072]) {
      const p = point(7, dims);
      expect(encodedSizeBound(p)).toBeGreaterThanOrEqual(Buffer.byteLength(JSON.stringify(toWire(p))));
    }
  });

  it('keeps every body within the limit, in order, and a lone oversize point alone', () => {
    const points = Array.from({ length: 50 }, (_, i) => point(i, 768));
    const limit = 200_000;
    const runs = splitBySize(points, limit);
    expect(runs.flat().map((p) => p.label)).toEqual(points.map((p) => p.label));
    for (const run of runs) {
      expect(Buffer.byteLength(JSON.stringify({ points: run.map(toWire) }))).toBeLessThanOrEqual(limit);
    }
    expect(runs.length).toBeGreaterThan(1);
    expect(splitBySize([point(1, 3072)], 1000)).toHaveLength(1);
    expect(splitBySize([], 1000)).toEqual([]);
  });
});

describe('the Qdrant double as the real server', () => {
  it('refuses a body over its limit with 400, a second create with 409, and reports the required info fields', async () => {
    const d = await startQdrantTestDouble({ maxRequestBytes: 4096 });
    try {
      const create = (): Promise<Response> =>
        fetch(`${d.url}/collections/c`, {
          method: 'PUT',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ vectors: { size: 4, distance: 'Cosine' } }),
        });
      expect((await create()).status).toBe(200);
      const again = await create();
      expect(again.status).toBe(409);
      expect(await again.json()).toMatchObject({ status: { error: 'Wrong input: Collection `c` already exists!' } });
      const big = await fetch(`${d.url}/collections/c/points?wait=true`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ points: [{ id: 1, vector: [1, 2, 3, 4], payload: { t: 'x'.repeat(5000) } }] }),
      });
      expect(big.status).toBe(400);
      expect(((await big.json()) as { status: { error: string } }).status.error).toMatch(/larger than allowed/);
      const info = (await (await fetch(`${d.url}/collections/c`)).json()) as { result: Record<string, unknown> };
      expect(Object.keys(info.result)).toEqual(
        expect.arrayContaining(['status', 'optimizer_status', 'segments_count', 'config', 'payload_schema']),
      );
      expect(Object.keys(info.result['config'] as object)).toEqual(
        expect.arrayContaining(['params', 'hnsw_config', 'optimizer_config']),
      );
    } finally {
      await d.close();
    }
  });
});
