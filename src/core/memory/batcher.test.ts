import { describe, expect, it } from 'vitest';
import { createBatcher } from './batcher.js';

describe('write batcher', () => {
  it('flushes as soon as it holds `size` items', async () => {
    const batches: number[][] = [];
    const b = createBatcher<number, number>({
      size: 3,
      ms: 60_000,
      write: async (xs) => (batches.push(xs), xs.map((x) => x * 10)),
    });
    const results = await Promise.all([b.push(1), b.push(2), b.push(3)]);
    expect(results).toEqual([10, 20, 30]);
    expect(batches).toEqual([[1, 2, 3]]);
  });

  it('flushes a partial batch after `ms`', async () => {
    const batches: number[][] = [];
    const b = createBatcher<number, number>({ size: 100, ms: 20, write: async (xs) => (batches.push(xs), xs) });
    const p = b.push(7);
    expect(batches).toEqual([]);
    expect(b.pending).toBe(1);
    await p;
    expect(batches).toEqual([[7]]);
  });

  it('flush() drains at once and batches commit in order', async () => {
    const order: number[] = [];
    const b = createBatcher<number, number>({
      size: 2,
      ms: 60_000,
      write: async (xs) => {
        await new Promise((r) => setTimeout(r, xs[0] === 1 ? 20 : 0));
        order.push(...xs);
        return xs;
      },
    });
    const all = [1, 2, 3].map((x) => b.push(x));
    await b.flush();
    await Promise.all(all);
    expect(order).toEqual([1, 2, 3]);
  });

  it('a failed write rejects every item of its batch', async () => {
    const b = createBatcher<number, number>({
      size: 2,
      ms: 60_000,
      write: async () => Promise.reject(new Error('disk full')),
    });
    const r = await Promise.allSettled([b.push(1), b.push(2)]);
    expect(r.map((x) => x.status)).toEqual(['rejected', 'rejected']);
  });
});
