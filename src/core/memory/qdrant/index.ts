/**
 * The Qdrant memory backend, loaded only when memory.backend=qdrant (create.ts imports this module dynamically, and
 * the store imports @qdrant/js-client-rest only when it opens).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../../config/schema.js';
import { configError } from '../../errors.js';
import type { Paths } from '../../paths.js';
import type { Db } from '../../store/db.js';
import type { Embedder } from '../types.js';
import { QdrantStore } from './store.js';

export { QdrantStore, type QdrantStoreOptions } from './store.js';
export { inspectServer, ensureCollection, dimensionMismatch, type ServerInfo } from './collection.js';

export const API_KEY_FILE = 'qdrant.key';

/**
 * The API key: memory.qdrant.apiKey (from the config file or $PROGENY_MEMORY_QDRANT_APIKEY), else the file
 * <home>/secrets/qdrant.key, which must not be readable by group or others.
 */
export function resolveQdrantApiKey(config: Config, paths: Pick<Paths, 'secrets'>): string | undefined {
  if (config['memory.qdrant.apiKey']) return config['memory.qdrant.apiKey'];
  const file = join(paths.secrets, API_KEY_FILE);
  if (!existsSync(file)) return undefined;
  const mode = statSync(file).mode & 0o777;
  if (mode & 0o077)
    throw configError(`${file} is mode ${mode.toString(8)}: a key file must be private`, `chmod 600 ${file}`);
  const key = readFileSync(file, 'utf8').trim();
  return key || undefined;
}

export function qdrantStoreOptions(config: Config, paths: Pick<Paths, 'secrets'>) {
  const apiKey = resolveQdrantApiKey(config, paths);
  return {
    url: config['memory.qdrant.url'],
    ...(apiKey ? { apiKey } : {}),
    collection: config['memory.qdrant.collection'],
    batchSize: config['memory.qdrant.batchSize'],
    batchMs: config['memory.qdrant.batchMs'],
    maxRequestBytes: config['memory.qdrant.maxRequestMb'] * 1024 * 1024,
    timeoutMs: config['memory.qdrant.timeoutMs'],
    retries: config['memory.qdrant.retries'],
  };
}

export function createQdrantStore(deps: {
  db: Db;
  paths: Pick<Paths, 'secrets'>;
  config: Config;
  embedder: Pick<Embedder, 'id' | 'dimensions'>;
  onHealthChange?: (ok: boolean, detail: string) => void;
}): QdrantStore {
  return new QdrantStore({
    db: deps.db,
    embedder: deps.embedder,
    ...qdrantStoreOptions(deps.config, deps.paths),
    ...(deps.onHealthChange ? { onHealthChange: deps.onHealthChange } : {}),
  });
}
