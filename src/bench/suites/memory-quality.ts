/**
 * ANN quality: recall@10 of the store's search (HNSW + tail) against an exact scan of every vector in SQLite. Ties
 * count: a result as similar as the exact 10th is a correct one (corpora hold duplicate texts, whose order is
 * arbitrary).
 */
import type { Db } from '../../core/store/db.js';
import { FlatVectors } from '../../core/memory/flat-vectors.js';
import type { Embedder, MemoryKind, MemoryStore } from '../../core/memory/types.js';
import { fromBlob } from '../../core/memory/vectors.js';

export async function annRecallAt10(
  db: Db,
  store: MemoryStore,
  embedder: Embedder,
  queries: string[],
): Promise<number> {
  let flat: FlatVectors | null = null;
  const rows = db
    .prepare("SELECT id, label, actor, kind, vector FROM memories WHERE status = 'active' AND vector IS NOT NULL")
    .iterate() as IterableIterator<{ id: string; label: number; actor: string; kind: MemoryKind; vector: Buffer }>;
  for (const r of rows) {
    const vector = fromBlob(r.vector);
    flat ??= new FlatVectors(vector.length);
    flat.set({
      id: r.id,
      label: r.label,
      vector,
      payload: { actor: r.actor, kind: r.kind, createdAt: 0, salience: 0 },
    });
  }
  if (!flat) return 1;
  let found = 0;
  const vectors = await embedder.embed(queries);
  for (const q of vectors) {
    const exact = flat.search(q, 10, {});
    const tenth = exact.at(-1)?.similarity ?? -Infinity;
    const ann = await store.search(q, { limit: 10, filter: {} });
    found += Math.min(exact.length, ann.filter((c) => c.similarity >= tenth - 1e-6).length) / Math.max(1, exact.length);
  }
  return found / vectors.length;
}
