/** Test support: a memory service on a throw-away home with a fixed clock and the built-in embedder. */
import { fixedClock } from '../core/clock.js';
import { mergeConfig } from '../core/config/load.js';
import type { Config } from '../core/config/schema.js';
import {
  createBuiltinEmbedder,
  createCachedEmbedder,
  createEmbeddedStore,
  createMemoryService,
} from '../core/memory/index.js';
import type { MemoryApi } from '../core/memory/api.js';
import type { OldEmbedderFor } from '../core/memory/old-vectors.js';
import type { Embedder, MemoryStore } from '../core/memory/types.js';
import { openDatabase, type Db } from '../core/store/db.js';
import { createJournal } from '../core/sync/journal.js';
import { tempHome } from './temp-home.js';

export const T0 = Date.UTC(2026, 0, 1);

export interface MemoryFixture {
  memory: MemoryApi;
  db: Db;
  store: MemoryStore;
  clock: ReturnType<typeof fixedClock>;
  config: Config;
  paths: ReturnType<typeof tempHome>['paths'];
  changes: { op: string; ids: string[] }[];
  /** Closes the service and opens a new one on the same home (a restart), with another embedder if given. */
  reopen(with_?: { embedder?: Embedder; oldEmbedder?: OldEmbedderFor }): Promise<void>;
  cleanup(): Promise<void>;
}

export async function memoryFixture(
  overrides: Partial<Config> = {},
  embedder: Embedder = createBuiltinEmbedder(),
  /** Receives every statement run on the database (src/testing/sql-trace.ts). */
  sql?: string[],
): Promise<MemoryFixture> {
  const home = tempHome('progeny-memory-');
  const clock = fixedClock(T0);
  const config = { ...mergeConfig({}).config, ...overrides };
  const changes: { op: string; ids: string[] }[] = [];
  const open = async (with_: { embedder?: Embedder; oldEmbedder?: OldEmbedderFor } = {}) => {
    const db = openDatabase(home.paths.db, sql ? { verbose: (s) => sql.push(String(s)) } : {});
    const journal = createJournal(db, clock, 'DEVICETEST');
    const cached = createCachedEmbedder(db, with_.embedder ?? embedder);
    const store = createEmbeddedStore({ db, paths: home.paths, embedder: cached });
    const memory = await createMemoryService({
      db,
      journal,
      clock,
      config,
      embedder: cached,
      store,
      onChange: (e) => changes.push(e),
      ...(with_.oldEmbedder ? { oldEmbedder: with_.oldEmbedder } : {}),
    });
    return { db, store, memory };
  };
  let cur = await open();
  const fx: MemoryFixture = {
    ...cur,
    clock,
    config,
    paths: home.paths,
    changes,
    async reopen(with_) {
      await cur.memory.close();
      cur.db.close();
      cur = await open(with_);
      Object.assign(fx, cur);
    },
    async cleanup() {
      await cur.memory.close();
      cur.db.close();
      home.cleanup();
    },
  };
  return fx;
}
