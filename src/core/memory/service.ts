/**
 * The memory service (MemoryApi): SQLite holds every record and is written first, in one transaction with the sync
 * journal; the vector store is brought in line right after. Queued writes are batched (memory.batch.size/ms).
 */
import type { Clock } from '../clock.js';
import type { Config } from '../config/schema.js';
import { ProgenyError, usageError } from '../errors.js';
import { LATENCY_BUCKETS, type MetricsRegistry } from '../metrics/registry.js';
import type { Db } from '../store/db.js';
import { createUlidFactory, type UlidFactory } from '../ids.js';
import type { Journal } from '../sync/journal.js';
import type { EditPatch, ListQuery, MemoryApi, Page } from './api.js';
import { createBatcher } from './batcher.js';
import { vectorsFor, type MemoryContext, type MemoryOp } from './context.js';
import { dream, restore } from './dream.js';
import { exportJsonl, importJsonl, reindex, reindexStale } from './import-export.js';
import { createLexicalSearch } from './lexical.js';
import { listMemories } from './list.js';
import { recall } from './recall.js';
import { memoryRows, toMemory, toRevision, type MemoryRow } from './rows.js';
import { MEMORY_KINDS, type Embedder, type Memory, type MemoryStore, type NewMemory } from './types.js';
import { createThreads, planContexts, type Context } from './thread.js';
import { affectedBy, refreshContexts } from './thread-refresh.js';
import { textHash, toBlob } from './vectors.js';
import { createReembedder, fallenBack } from './reembed.js';
import { createWriter, UNEMBEDDED, type InsertItem } from './writer.js';
import { createIdempotencyKeys } from './idempotency.js';
import { act } from '../hints.js';

export interface MemoryServiceDeps {
  db: Db;
  journal: Journal;
  clock: Clock;
  config: Config;
  embedder: Embedder;
  store: MemoryStore;
  metrics?: MetricsRegistry;
  onChange?: (e: { op: MemoryOp; ids: string[] }) => void;
  /** The engine's id factory (one per engine: ids stay monotonic and carry the time they are asked for). */
  ids?: UlidFactory;
}

export function validateNew(m: NewMemory): void {
  if (typeof m.text !== 'string' || !m.text.trim()) throw usageError('a memory needs some text');
  if (m.kind !== undefined && !MEMORY_KINDS.includes(m.kind))
    throw usageError(`kind must be one of ${MEMORY_KINDS.join(', ')}`);
  if (m.salience !== undefined && !(m.salience >= 0 && m.salience <= 1))
    throw usageError('salience must be between 0 and 1');
}

export async function createMemoryService(deps: MemoryServiceDeps): Promise<MemoryApi> {
  const { db, journal, clock, config, embedder, store } = deps;
  const ulid = deps.ids ?? createUlidFactory();
  const writer = createWriter(db, journal, clock, () => embedder.id, ulid);
  const ctx: MemoryContext = {
    db,
    clock,
    config,
    embedder,
    store,
    writer,
    rows: memoryRows(db),
    lexical: createLexicalSearch(db, () => embedder.id),
    threads: createThreads(db),
    changed: (op, ids) => ids.length && deps.onChange?.({ op, ids }),
  };
  const recallSeconds = deps.metrics?.histogram(
    'progeny_memory_recall_seconds',
    'Memory recall latency',
    LATENCY_BUCKETS,
  );
  const added = deps.metrics?.counter('progeny_memories_added_total', 'Memories stored');
  ctx.reembedder = createReembedder(ctx);
  await store.open();
  await reindexStale(ctx);

  const add = async (items: NewMemory[]): Promise<Memory[]> => {
    items.forEach(validateNew);
    if (!items.length) return [];
    const given = items.flatMap((m) => (m.id ? [m.id] : []));
    const taken = given.length ? [...ctx.rows.many(given).keys()] : [];
    if (taken.length || new Set(given).size < given.length) {
      const id = taken[0] ?? given.find((x, i) => given.indexOf(x) !== i);
      throw usageError(`a memory with id ${id} already exists`, {
        text: 'leave the id out to get a new one, or edit the existing memory',
        actions: [act('memory.edit')],
      });
    }
    // Ids and times are settled first: a memory's context may be the one before it in this same batch.
    const now = clock.now();
    const places = items.map((m) => ({
      id: m.id ?? ulid(m.createdAt ?? now),
      kind: m.kind ?? (m.pinned ? ('pinned' as const) : ('interaction' as const)),
      source: m.source ?? {},
      createdAt: m.createdAt ?? now,
      label: Infinity,
      text: m.text,
    }));
    const contexts = planContexts(ctx.threads, places);
    const vectors = await vectorsFor(
      ctx,
      places.map((p, i) => ({ text: p.text, context: (contexts[i] as Context).context })),
    );
    const rows = writer.insert(
      items.map((m, i): InsertItem => ({
        id: (places[i] as (typeof places)[number]).id,
        text: m.text,
        kind: (places[i] as (typeof places)[number]).kind,
        actor: m.actor ?? 'creator',
        source: m.source ?? {},
        salience: m.salience ?? 0.5,
        pinned: m.pinned ?? false,
        vector: vectors[i] ?? null,
        createdAt: (places[i] as (typeof places)[number]).createdAt,
        context: (contexts[i] as Context).context,
        contextId: (contexts[i] as Context).contextId,
      })),
    );
    await store.mirror(rows);
    await refreshContexts(ctx, affectedBy(ctx, rows));
    ctx.reembedder?.kick();
    added?.inc({}, rows.length);
    ctx.changed(
      'add',
      rows.map((r) => r.id),
    );
    return rows.map(toMemory);
  };
  const batcher = createBatcher({ size: config['memory.batch.size'], ms: config['memory.batch.ms'], write: add });
  const keys = createIdempotencyKeys(db, clock, ulid);
  /** The memories with these ids, if every one is stored (a retry of a completed add). */
  const stored = (ids: string[]): Memory[] | undefined => {
    const rows = ctx.rows.many(ids);
    return rows.size === ids.length ? ids.map((id) => toMemory(rows.get(id) as MemoryRow)) : undefined;
  };
  const addOnce = async (key: string, items: NewMemory[]): Promise<{ memories: Memory[]; replayed: boolean }> => {
    items.forEach(validateNew);
    const ids = keys.claim(key, items, items.length);
    const before = stored(ids);
    if (before) return { memories: before, replayed: true };
    try {
      return { memories: await add(items.map((m, i) => ({ ...m, id: ids[i] as string }))), replayed: false };
    } catch (err) {
      // A concurrent retry with the same key stored them first.
      const after = stored(ids);
      if (after) return { memories: after, replayed: true };
      throw err;
    }
  };

  const mutable = (id: string) => {
    const row = ctx.rows.resolve(id);
    if (row.status === 'forgotten')
      throw new ProgenyError('MEMORY_FORGOTTEN', `memory ${row.id} was forgotten; its text is gone`);
    return row;
  };

  return {
    add,
    addOnce,
    enqueue: (item) => (validateNew(item), batcher.push(item)),
    flush: () => batcher.flush(),
    async recall(q) {
      const t0 = performance.now();
      await ctx.reembedder!.catchUp();
      const out = await recall(ctx, q);
      recallSeconds?.observe((performance.now() - t0) / 1000);
      return out;
    },
    list: (q: ListQuery): Page<Memory> => listMemories(db, q),
    get: (id) => toMemory(ctx.rows.resolve(id)),
    async edit(id, patch: EditPatch, reason) {
      const before = mutable(id);
      if (patch.text !== undefined && !patch.text.trim())
        throw usageError('the new text is empty', { text: 'forget it instead', actions: [act('memory.forget')] });
      validateNew({
        text: patch.text ?? before.text,
        ...(patch.kind ? { kind: patch.kind } : {}),
        ...(patch.salience !== undefined ? { salience: patch.salience } : {}),
      });
      const textChanged = patch.text !== undefined && patch.text !== before.text;
      const fresh = textChanged
        ? (await vectorsFor(ctx, [{ text: patch.text as string, context: before.context }]))[0]
        : null;
      const after = writer.patch(
        before,
        {
          ...(textChanged
            ? {
                text: patch.text as string,
                text_hash: textHash(patch.text as string),
                vector: fresh ? toBlob(fresh) : null,
                embedder: fresh ? embedder.id : UNEMBEDDED,
              }
            : {}),
          ...(patch.kind ? { kind: patch.kind } : {}),
          ...(patch.salience !== undefined ? { salience: patch.salience } : {}),
        },
        reason || 'edited',
      );
      await store.mirror([after]);
      // A new kind may take it into or out of its conversation's thread; a new text is the next one's context.
      if (textChanged || after.kind !== before.kind)
        await refreshContexts(ctx, [after.id, ...affectedBy(ctx, [after])]);
      if (textChanged) ctx.reembedder?.kick();
      ctx.changed('edit', [after.id]);
      return toMemory(after);
    },
    async forget(id) {
      const before = ctx.rows.resolve(id);
      if (before.status === 'forgotten') return toMemory(before);
      if ('evict' in embedder) (embedder as { evict(t: string): void }).evict(before.text);
      const after = writer.forgetRow(before);
      await store.mirror([after]);
      // The memory after it was indexed with its words: that context goes too (thread-refresh.ts).
      await refreshContexts(ctx, affectedBy(ctx, [after]));
      ctx.changed('forget', [after.id]);
      return toMemory(after);
    },
    async pin(id, pinned) {
      const before = mutable(id);
      if ((before.pinned === 1) === pinned) return toMemory(before);
      const after = writer.patch(before, { pinned: pinned ? 1 : 0 }, null);
      ctx.changed('pin', [after.id]);
      return toMemory(after);
    },
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
    reindex: (opts) => reindex(ctx, opts?.onProgress, opts?.staleOnly === true),
    embedPending: (opts) => ctx.reembedder!.run({ ...opts, newOnly: true }),
    reembedInBackground: () => ctx.reembedder!.start(),
    async embedArrived() {
      // Fallen back, the model's vectors must not be replaced by hash ones: the arrivals wait for it (by words meanwhile).
      if (fallenBack(ctx.embedder)) return;
      if (ctx.embedder.ready === undefined) await reindex(ctx, undefined, true);
      else ctx.reembedder!.kick();
    },
    pendingVectors: () => ({ new: ctx.reembedder!.pending({ newOnly: true }), stale: ctx.reembedder!.pending() }),
    dream: (opts) => dream(ctx, opts ?? {}),
    restore: (id) => restore(ctx, id),
    count(opts) {
      const status = opts?.status ?? 'active';
      const sql = status === 'all' ? 'SELECT count(*) FROM memories' : 'SELECT count(*) FROM memories WHERE status = ?';
      return db
        .prepare(sql)
        .pluck()
        .get(...(status === 'all' ? [] : [status])) as number;
    },
    probe: () => store.probe(),
    async close() {
      await batcher.flush();
      await ctx.reembedder!.close();
      await store.close();
    },
  };
}
