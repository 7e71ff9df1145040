import { describe, expect, it } from 'vitest';
import { FlatVectors } from './flat-vectors.js';
import { embedBuiltin } from './embedder-builtin.js';
import type { MemoryKind } from './types.js';

const point = (i: number, kind: MemoryKind = 'fact', actor = 'creator') => ({
  id: `m${i}`,
  label: i,
  vector: embedBuiltin(`memory ${i} about ${['rivers', 'music', 'cooking'][i % 3]} number ${i}`),
  payload: { actor, kind, createdAt: 0, salience: 0.5 },
});

describe('FlatVectors (exact search over the unindexed tail)', () => {
  it('finds the exact nearest points, honouring filters', () => {
    const f = new FlatVectors(384);
    for (let i = 0; i < 50; i++) f.set(point(i, i % 2 ? 'fact' : 'interaction', i === 7 ? 'ana' : 'creator'));
    expect(f.search(point(12).vector, 3, {})[0]).toMatchObject({ id: 'm12' });
    expect(f.search(point(12).vector, 50, { actor: 'ana' }).map((c) => c.id)).toEqual(['m7']);
    expect(
      f.search(point(12).vector, 50, { kinds: ['interaction'] }).every((c) => Number(c.id.slice(1)) % 2 === 0),
    ).toBe(true);
    const sims = f.search(point(12).vector, 10, {}).map((c) => c.similarity);
    expect(sims).toEqual([...sims].sort((a, b) => b - a));
  });

  it('repacks once most slots are free, so a drained tail stops costing scan time and memory', () => {
    const f = new FlatVectors(384);
    for (let i = 0; i < 5000; i++) f.set(point(i));
    expect(f.slots).toBe(5000);
    for (let i = 0; i < 4990; i++) f.delete(`m${i}`);
    expect(f.size).toBe(10);
    expect(f.slots).toBeLessThan(1300);
    // What is left is intact and still found.
    for (let i = 4990; i < 5000; i++) {
      expect(f.search(point(i).vector, 1, {})[0]?.id).toBe(`m${i}`);
      expect(f.vector(`m${i}`)).toEqual(point(i).vector);
    }
    expect(f.has('m1')).toBe(false);
    f.set(point(1));
    expect(f.search(point(1).vector, 1, {})[0]?.id).toBe('m1');
  });
});
