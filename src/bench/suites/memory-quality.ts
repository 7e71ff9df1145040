/** ANN quality: recall@10 of the store's search (HNSW + tail) against an exact scan of every vector in SQLite. */
import type { Db } from '../../core/store/db.js';
import { FlatVectors } from '../../core/memory/flat-vectors.js';
import type { Embedder, MemoryKind, MemoryStore } from '../../core/memory/types.js';
import { fromBlob } from '../../core/memory/vectors.js';

export async function annRecallAt10(db: Db, store: MemoryStore, embedder: Embedder, queries: string[]): Promise<number> {
  let flat: FlatVectors | null = null;
  const rows = db.prepare("SELECT id, label, actor, kind, vector FROM memories WHERE status = 'active' AND vector IS NOT NULL").iterate() as IterableIterator<{ id: string; label: number; actor: string; kind: MemoryKind; vector: Buffer }>;
  for (const r of rows) {
    const vector = fromBlob(r.vector);
    flat ??= new FlatVectors(vector.length);
    flat.set({ id: r.id, label: r.label, vector, payload: { actor: r.actor, kind: r.kind, createdAt: 0, salience: 0 } });
  }
  if (!flat) return 1;
  let found = 0;
  const vectors = await embedder.embed(queries);
  for (const q of vectors) {
    const exact = new Set(flat.search(q, 10, {}).map((c) => c.id));
    const ann = await store.search(q, { limit: 10, filter: {} });
    found += ann.filter((c) => exact.has(c.id)).length / Math.max(1, exact.size);
  }
  return found / vectors.length;
}
