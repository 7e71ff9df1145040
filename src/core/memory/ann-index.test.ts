/**
 * The HNSW graph must reach every point it holds: usearch's concurrent add could strand a node that no search finds,
 * not even with its own vector (usearch issue #735), so ann-index.ts adds on one thread. Near-alike vectors (the hash
 * embedder's of notes that differ by a number) strand one most often: with every core, 17 of 40,000 nodes over 100
 * builds of 400, so 25 builds found at least one with high probability; with one thread none ever was.
 */
import { describe, expect, it } from 'vitest';
import { createAnnIndex } from './ann-index.js';
import { embedBuiltin } from './embedder-builtin.js';

const topics = ['rivers', 'music', 'cooking', 'travel', 'birds', 'chess', 'tides'];
const vectors = Array.from({ length: 400 }, (_, i) =>
  embedBuiltin(`note ${i} on ${topics[i % 7]} and ${topics[(i * 3) % 7]}, ${i * 11}`),
);

describe('ann index', () => {
  it('finds every point of a bulk build by its own vector, and a point added later', () => {
    const stranded: string[] = [];
    for (let build = 0; build < 25; build++) {
      const index = createAnnIndex(vectors[0]!.length);
      index.add(
        vectors.map((_, i) => i + 1),
        vectors,
      );
      vectors.forEach((v, i) => {
        if (!index.search(v, 8).includes(i + 1)) stranded.push(`build ${build}: point ${i + 1}`);
      });
      const later = embedBuiltin('a memory about lighthouses');
      index.add([401], [later]);
      if (index.search(later, 8)[0] !== 401) stranded.push(`build ${build}: the point added later`);
    }
    expect(stranded).toEqual([]);
  }, 60_000);
});
