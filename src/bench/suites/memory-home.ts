/** A memory service on its own home for the bench (the real store, embedder and config; a fixed clock). */
import { join } from 'node:path';
import { fixedClock } from '../../core/clock.js';
import { mergeConfig } from '../../core/config/load.js';
import type { Config } from '../../core/config/schema.js';
import type { MemoryApi } from '../../core/memory/api.js';
import {
  createBuiltinEmbedder,
  createCachedEmbedder,
  createEmbeddedStore,
  createMemoryService,
  type EmbeddedStore,
} from '../../core/memory/index.js';
import { pathsFor } from '../../core/paths.js';
import { openDatabase, type Db } from '../../core/store/db.js';
import { createJournal } from '../../core/sync/journal.js';
import type { createCorpus } from '../corpus.js';

export interface BenchMemoryHome {
  memory: MemoryApi;
  store: EmbeddedStore;
  db: Db;
  close(): Promise<void>;
}

export const BENCH_T0 = Date.UTC(2026, 0, 1);

export async function openBenchHome(
  dir: string,
  name: string,
  overrides: Partial<Config> = {},
): Promise<BenchMemoryHome> {
  const paths = pathsFor(join(dir, name));
  const db = openDatabase(paths.db);
  const clock = fixedClock(BENCH_T0);
  const embedder = createCachedEmbedder(db, createBuiltinEmbedder());
  const store = createEmbeddedStore({ db, paths, embedder });
  const config = { ...mergeConfig({}).config, ...overrides };
  const memory = await createMemoryService({
    db,
    journal: createJournal(db, clock, 'BENCH'),
    clock,
    config,
    embedder,
    store,
  });
  return {
    memory,
    store,
    db,
    async close() {
      await memory.close();
      db.close();
    },
  };
}

/** Fills a home with n corpus memories in durable batches, spread over a year, then finishes its index. */
export async function fill(
  home: BenchMemoryHome,
  corpus: ReturnType<typeof createCorpus>,
  n: number,
  batch = 2000,
): Promise<void> {
  for (let i = 0; i < n; i += batch) {
    const items = Array.from({ length: Math.min(batch, n - i) }, (_, j) => ({
      text: corpus.memory(),
      createdAt: BENCH_T0 - Math.floor(corpus.random() * 365 * 86_400_000),
      salience: Math.round(corpus.random() * 100) / 100,
      kind: j % 50 === 0 ? ('fact' as const) : ('interaction' as const),
    }));
    await home.memory.add(items);
  }
  await home.store.flush();
}
