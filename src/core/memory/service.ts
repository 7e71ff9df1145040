/**
 * The memory service (MemoryApi): SQLite holds every record and is written first, in one transaction with the sync
 * journal; the vector store is brought in line right after. Queued writes are batched (memory.batch.size/ms).
 */
import type { Clock } from '../clock.js';
import type { Config } from '../config/schema.js';
import type { MetricsRegistry } from '../metrics/registry.js';
import type { Db } from '../store/db.js';
import { createUlidFactory, type UlidFactory } from '../ids.js';
import type { Journal } from '../sync/journal.js';
import type { EditPatch, ListQuery, MemoryApi, Page } from './api.js';
import { createBatcher } from './batcher.js';
import type { MemoryContext, MemoryOp } from './context.js';
import { dream, restore } from './dream.js';
import { exportJsonl, importJsonl, reindex, reindexStale } from './import-export.js';
import { createLexicalSearch } from './lexical.js';
import { listMemories } from './list.js';
import { createOldVectors, type OldEmbedderFor } from './old-vectors.js';
import { recall } from './recall.js';
import { memoryRows, toMemory, toRevision } from './rows.js';
import { createAdd, createAddOnce, validateNew } from './service-add.js';
import { editMemory, forgetMemory, pinMemory } from './service-edit.js';
import type { Embedder, Memory, MemoryStatus, MemoryStore, RecallAnswer, RecallInfo, RecallQuery } from './types.js';
import { createQueryVectors } from './query-vector.js';
import { createThreads } from './thread.js';
import { createReembedder, fallenBack } from './reembed.js';
import { createWriter } from './writer.js';
import { createIdempotencyKeys } from './idempotency.js';

export interface MemoryServiceDeps {
  db: Db;
  journal: Journal;
  clock: Clock;
  config: Config;
  embedder: Embedder;
  store: MemoryStore;
  metrics?: MetricsRegistry;
  onChange?: (e: { op: MemoryOp; ids: string[] }) => void;
  /**
   * Embedders that made the vectors memories still carry during an embedder switch, by id (old-vectors.ts); the
   * hash embedder's are always known.
   */
  oldEmbedder?: OldEmbedderFor;
  /** The engine's id factory (one per engine: ids stay monotonic and carry the time they are asked for). */
  ids?: UlidFactory;
  /** Recall's embedder stopped answering queries (once per outage): recall answers by words meanwhile. */
  onRecallVectorsLost?: (info: RecallInfo) => void;
}

export { validateNew } from './service-add.js';

/** What the service's parts share (context.ts), the re-embedder included. */
function openContext(deps: MemoryServiceDeps, ulid: UlidFactory): MemoryContext {
  const { db, journal, clock, config, embedder, store } = deps;
  const ctx: MemoryContext = {
    db,
    clock,
    config,
    embedder,
    store,
    writer: createWriter(db, journal, clock, () => embedder.id, ulid),
    rows: memoryRows(db),
    lexical: createLexicalSearch(db, () => embedder.id),
    oldVectors: createOldVectors(db, () => embedder.id, deps.oldEmbedder),
    threads: createThreads(db),
    queryVector: createQueryVectors({
      db,
      embedder,
      timeoutMs: config['embedder.queryTimeoutMs'],
      ...(deps.onRecallVectorsLost ? { onUnavailable: deps.onRecallVectorsLost } : {}),
    }),
    changed: (op, ids) => ids.length && deps.onChange?.({ op, ids }),
  };
  ctx.reembedder = createReembedder(ctx);
  return ctx;
}

/** Vectors made after their memories: pending ones, arrivals by sync, and the re-embedding after a switch. */
function vectorApi(ctx: MemoryContext) {
  return {
    reindex: (opts) => reindex(ctx, opts?.onProgress, opts?.staleOnly === true, opts?.signal),
    repairIndex: async () => (await ctx.store.repairUnreachable?.()) ?? null,
    embedPending: (opts) => ctx.reembedder!.run({ ...opts, newOnly: true }),
    reembedInBackground: () => ctx.reembedder!.start(),
    async embedArrived() {
      // Fallen back, the model's vectors must not be replaced by hash ones: the arrivals wait for it (by words meanwhile).
      if (fallenBack(ctx.embedder)) return;
      if (ctx.embedder.ready === undefined) await reindex(ctx, undefined, true);
      else ctx.reembedder!.kick();
    },
    pendingVectors: () => ({ new: ctx.reembedder!.pending({ newOnly: true }), stale: ctx.reembedder!.pending() }),
  } satisfies Partial<MemoryApi>;
}

function countMemories(db: Db, status: MemoryStatus | 'all' = 'active'): number {
  const sql = status === 'all' ? 'SELECT count(*) FROM memories' : 'SELECT count(*) FROM memories WHERE status = ?';
  return db
    .prepare(sql)
    .pluck()
    .get(...(status === 'all' ? [] : [status])) as number;
}

export async function createMemoryService(deps: MemoryServiceDeps): Promise<MemoryApi> {
  const { db, clock, config, store } = deps;
  const ulid = deps.ids ?? createUlidFactory();
  const ctx = openContext(deps, ulid);
  const recallSeconds = deps.metrics?.histogram('progeny_memory_recall_seconds', 'Memory recall latency');
  const added = deps.metrics?.counter('progeny_memories_added_total', 'Memories stored');
  await store.open();
  await reindexStale(ctx);
  const add = createAdd(ctx, ulid, added);
  async function search(q: RecallQuery): Promise<RecallAnswer> {
    // process.hrtime: the first performance.now() of a process loads perf_hooks, ~1 ms of a one-shot search.
    const t0 = process.hrtime.bigint();
    const out = await recall(ctx, q);
    recallSeconds?.observe(Number(process.hrtime.bigint() - t0) / 1e9);
    return out;
  }
  const batcher = createBatcher({ size: config['memory.batch.size'], ms: config['memory.batch.ms'], write: add });
  return {
    add,
    addOnce: createAddOnce(ctx, createIdempotencyKeys(db, clock, ulid), add),
    enqueue: (item) => (validateNew(item), batcher.push(item)),
    flush: () => batcher.flush(),
    search,
    recall: async (q) => (await search(q)).results,
    list: (q: ListQuery): Page<Memory> => listMemories(db, q),
    get: (id) => toMemory(ctx.rows.resolve(id)),
    edit: (id, patch: EditPatch, reason) => editMemory(ctx, id, patch, reason),
    forget: (id) => forgetMemory(ctx, id),
    pin: (id, pinned) => pinMemory(ctx, id, pinned),
    history(id) {
      const row = ctx.rows.resolve(id);
      return (
        db.prepare('SELECT * FROM memory_revisions WHERE memory_id = ? ORDER BY revision').all(row.id) as Parameters<
          typeof toRevision
        >[0][]
      ).map(toRevision);
    },
    exportJsonl: () => exportJsonl(db),
    importJsonl: (lines, opts) => importJsonl(ctx, lines, opts?.onProgress),
    ...vectorApi(ctx),
    dream: (opts) => dream(ctx, opts ?? {}),
    restore: (id) => restore(ctx, id),
    count: (opts) => countMemories(db, opts?.status),
    probe: () => store.probe(),
    async close() {
      await batcher.flush();
      await ctx.reembedder!.close();
      await store.close();
    },
  };
}
