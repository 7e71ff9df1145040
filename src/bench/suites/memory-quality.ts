/**
 * ANN quality: recall@10 of the store's search (HNSW + tail) against an exact scan of every vector in SQLite. Ties
 * count: a result as similar as the exact 10th is a correct one (corpora hold duplicate texts, whose order is
 * arbitrary). The exact scan streams the rows once for all queries, keeping only each query's ten best similarities,
 * so it needs no copy of the vectors (a million memories' vectors would be 1.5 GB).
 */
import type { Db } from '../../core/store/db.js';
import type { Embedder, MemoryStore } from '../../core/memory/types.js';
import { fromBlob } from '../../core/memory/vectors.js';

/** Cosine as the store computes it: every stored vector and every query is unit length, so a dot product. */
function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] as number) * (b[i] as number);
  return s;
}

/** Each query's ten highest similarities over every active memory's vector, in descending order. */
export function exactTop10(db: Db, queries: Float32Array[]): number[][] {
  const best = queries.map(() => [] as number[]);
  const rows = db
    .prepare("SELECT vector FROM memories WHERE status = 'active' AND vector IS NOT NULL")
    .pluck()
    .iterate() as IterableIterator<Buffer>;
  for (const blob of rows) {
    const v = fromBlob(blob);
    for (let q = 0; q < queries.length; q++) {
      const top = best[q] as number[];
      const s = dot(queries[q] as Float32Array, v);
      if (top.length === 10 && s <= (top[9] as number)) continue;
      let i = top.length;
      while (i > 0 && (top[i - 1] as number) < s) i--;
      top.splice(i, 0, s);
      if (top.length > 10) top.pop();
    }
  }
  return best;
}

export async function annRecallAt10(
  db: Db,
  store: MemoryStore,
  embedder: Embedder,
  queries: string[],
): Promise<number> {
  const vectors = await embedder.embed(queries);
  const exact = exactTop10(db, vectors);
  if (exact.every((top) => !top.length)) return 1;
  let found = 0;
  for (let q = 0; q < vectors.length; q++) {
    const top = exact[q] as number[];
    const tenth = top.at(-1) ?? -Infinity;
    const ann = await store.search(vectors[q] as Float32Array, { limit: 10, filter: {} });
    found += Math.min(top.length, ann.filter((c) => c.similarity >= tenth - 1e-6).length) / Math.max(1, top.length);
  }
  return found / vectors.length;
}
