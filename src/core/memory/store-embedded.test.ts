import { immediate } from '../store/db.js';
import { tempDb } from '../../testing/temp-home.js';
import { createBuiltinEmbedder } from './embedder-builtin.js';
import { createEmbeddedStore } from './store-embedded.js';
import { runMemoryStoreContract } from './store-contract.js';
import type { MemoryStore, VectorPoint } from './types.js';
import { toBlob } from './vectors.js';

/**
 * The embedded store mirrors the memories table (the service writes each row, with its vector, before it upserts),
 * so this harness does what the service does: it writes the row first.
 */
function withRows(t: ReturnType<typeof tempDb>, store: MemoryStore): MemoryStore {
  const put = t.db
    .prepare(`INSERT INTO memories (id, label, text, kind, actor, created_at, updated_at, salience, embedder, text_hash, vector, change_seq)
    VALUES (@id, @label, '', @kind, @actor, 0, 0, 0.5, 'builtin-hash-v2/384', '', @vector, (SELECT coalesce(max(change_seq), 0) + 1 FROM memories))
    ON CONFLICT(id) DO UPDATE SET vector = excluded.vector, actor = excluded.actor, kind = excluded.kind, change_seq = excluded.change_seq`);
  const del = t.db.prepare(
    "UPDATE memories SET status = 'forgotten', vector = NULL, change_seq = (SELECT max(change_seq) + 1 FROM memories) WHERE id = ?",
  );
  return Object.assign(Object.create(store) as MemoryStore, {
    upsert: (pts: VectorPoint[]) => {
      immediate(t.db, () =>
        pts.forEach((p) =>
          put.run({ id: p.id, label: p.label, kind: p.payload.kind, actor: p.payload.actor, vector: toBlob(p.vector) }),
        ),
      );
      return store.upsert(pts);
    },
    remove: (ids: { id: string; label: number }[]) => {
      immediate(t.db, () => ids.forEach(({ id }) => del.run(id)));
      return store.remove(ids);
    },
  });
}

runMemoryStoreContract('embedded', async () => {
  const t = tempDb();
  const store = createEmbeddedStore({ db: t.db, paths: t.paths, embedder: createBuiltinEmbedder() });
  return { store: withRows(t, store), cleanup: async () => t.cleanup() };
});
