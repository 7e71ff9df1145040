/**
 * Opens the store a migration copies into. Migration never embeds: vectors come from SQLite, so the target is
 * opened with the dimension and embedder id of the stored vectors, and a database whose active memories were
 * embedded by more than one embedder must be reindexed first.
 */
import type { Config } from '../config/schema.js';
import { ProgenyError } from '../errors.js';
import type { Paths } from '../paths.js';
import type { Db } from '../store/db.js';
import type { Embedder, MemoryStore } from './types.js';
import { act } from '../hints.js';

export interface MigrationTarget {
  store: MemoryStore;
  healthy?: () => boolean;
}

/** The embedder the stored vectors came from, as far as a store needs it (id and dimension); undefined if none. */
export function storedEmbedder(db: Db): Embedder | undefined {
  const groups = db
    .prepare(
      "SELECT embedder, length(vector) AS bytes FROM memories WHERE status = 'active' AND vector IS NOT NULL GROUP BY embedder, bytes",
    )
    .all() as { embedder: string; bytes: number }[];
  if (groups.length === 0) return undefined;
  if (groups.length > 1) {
    throw new ProgenyError(
      'MIGRATE_MIXED_EMBEDDERS',
      `active memories were embedded by ${groups.length} different embedders (${groups.map((g) => g.embedder).join(', ')})`,
      {
        hint: 're-embed first, so every memory has a vector from the current embedder',
        actions: [act('memory.reindex')],
      },
    );
  }
  const g = groups[0] as { embedder: string; bytes: number };
  return {
    id: g.embedder,
    dimensions: g.bytes / 4,
    embed: () => Promise.reject(new Error('a migration copies stored vectors and never embeds')),
  };
}

export async function openMigrationTarget(
  to: 'qdrant' | 'embedded',
  deps: { db: Db; paths: Paths; config: Config; embedder: Embedder },
): Promise<MigrationTarget> {
  if (to === 'qdrant') {
    const { createQdrantStore } = await import('./qdrant/index.js');
    const store = createQdrantStore(deps);
    await store.open();
    if (!store.healthy()) {
      await store.close();
      throw new ProgenyError(
        'QDRANT_UNAVAILABLE',
        `Qdrant at ${deps.config['memory.qdrant.url']} is not reachable; nothing was copied`,
        {
          hint: 'start Qdrant or set memory.qdrant.url, then run the migration again (the doctor checks it)',
          actions: [act('doctor')],
        },
      );
    }
    return { store, healthy: () => store.healthy() };
  }
  const { createEmbeddedStore } = await import('./index.js');
  const store = createEmbeddedStore({ db: deps.db, paths: deps.paths, embedder: deps.embedder });
  await store.open();
  return { store };
}
