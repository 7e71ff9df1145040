/** Test support for the Qdrant store tests: deterministic points and a store wired to a temp database. */
import { afterEach, beforeEach } from 'vitest';
import { startQdrantTestDouble, type QdrantTestDouble } from './qdrant-double.js';
import { tempDb } from './temp-home.js';
import type { Db } from '../core/store/db.js';
import type { MemoryKind, VectorPoint } from '../core/memory/types.js';
import { QdrantStore, type QdrantStoreOptions } from '../core/memory/qdrant/store.js';

export const DIMS = 16;

/** A unit vector that depends only on n, so tests can predict the nearest neighbour. */
export function unitVector(n: number, dims = DIMS): Float32Array {
  const v = new Float32Array(dims);
  for (let i = 0; i < dims; i++) v[i] = Math.sin((n + 1) * (i + 1) * 0.37);
  let norm = 0;
  for (const x of v) norm += x * x;
  norm = Math.sqrt(norm);
  return v.map((x) => x / norm);
}

export function point(n: number, over: { actor?: string; kind?: MemoryKind; dims?: number } = {}): VectorPoint {
  return {
    id: `M${String(n).padStart(6, '0')}`,
    label: n,
    vector: unitVector(n, over.dims),
    payload: {
      actor: over.actor ?? 'creator',
      kind: over.kind ?? 'fact',
      createdAt: 1_700_000_000_000 + n,
      salience: 0.5,
    },
  };
}

export interface StoreFixture {
  db: Db;
  make(over?: Partial<QdrantStoreOptions>): QdrantStore;
  cleanup(): void;
}

export function storeFixture(url: string, defaults: Partial<QdrantStoreOptions> = {}): StoreFixture {
  const t = tempDb();
  const stores: QdrantStore[] = [];
  return {
    db: t.db,
    make(over = {}) {
      const s = new QdrantStore({
        db: t.db,
        embedder: { id: 'test/16', dimensions: DIMS },
        url,
        collection: 'memories_test',
        batchSize: 64,
        batchMs: 5,
        timeoutMs: 2_000,
        retries: 2,
        retryBaseMs: 5,
        retryMaxMs: 20,
        recoverBaseMs: 20,
        recoverMaxMs: 100,
        ...defaults,
        ...over,
      });
      stores.push(s);
      return s;
    },
    cleanup() {
      void Promise.allSettled(stores.map((s) => s.close())).then(() => t.cleanup());
    },
  };
}

/**
 * Registers hooks that give each test a fresh Qdrant TEST DOUBLE and `make(double.url)` (a store fixture, a temp
 * home…), and close both afterwards. Tests read `env.double` and `env.fx`; a test may swap `env.double` (closing the
 * old one itself) and the swapped one is closed.
 */
export function eachWithQdrantDouble<T extends { cleanup(): void }>(
  make: (url: string) => T,
): { double: QdrantTestDouble; fx: T } {
  const env = {} as { double: QdrantTestDouble; fx: T };
  beforeEach(async () => {
    env.double = await startQdrantTestDouble();
    env.fx = make(env.double.url);
  });
  afterEach(async () => {
    env.fx.cleanup();
    await env.double.close();
  });
  return env;
}
