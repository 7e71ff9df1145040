/**
 * Adding memories (MemoryApi.add and addOnce): ids, times and contexts are settled first, then one write with the
 * sync journal, then the vector store and the neighbours' contexts (docs/memory-recall.md, "Contextual memories").
 */
import { usageError } from '../errors.js';
import type { UlidFactory } from '../ids.js';
import type { Counter } from '../metrics/registry.js';
import type { MemoryApi } from './api.js';
import { vectorsFor, type MemoryContext } from './context.js';
import type { createIdempotencyKeys } from './idempotency.js';
import { toMemory, type MemoryRow } from './rows.js';
import { planContexts, type Context } from './thread.js';
import { affectedBy, refreshContexts } from './thread-refresh.js';
import { MEMORY_KINDS, type Memory, type NewMemory } from './types.js';
import type { InsertItem } from './writer.js';

export function validateNew(m: NewMemory): void {
  if (typeof m.text !== 'string' || !m.text.trim()) throw usageError('a memory needs some text');
  if (m.kind !== undefined && !MEMORY_KINDS.includes(m.kind))
    throw usageError(`kind must be one of ${MEMORY_KINDS.join(', ')}`);
  if (m.salience !== undefined && !(m.salience >= 0 && m.salience <= 1))
    throw usageError('salience must be between 0 and 1');
}

/** Given ids must be new, and distinct. */
function refuseTakenIds(ctx: MemoryContext, items: NewMemory[]): void {
  const given = items.flatMap((m) => (m.id ? [m.id] : []));
  const taken = given.length ? [...ctx.rows.many(given).keys()] : [];
  if (taken.length || new Set(given).size < given.length) {
    const id = taken[0] ?? given.find((x, i) => given.indexOf(x) !== i);
    throw usageError(
      `a memory with id ${id} already exists`,
      'leave the id out to get a new one, or edit the existing memory with `progeny memory edit`',
    );
  }
}

/** The rows to insert: ids and times first, since a memory's context may be the one before it in this same batch. */
async function insertItems(ctx: MemoryContext, items: NewMemory[], ulid: UlidFactory): Promise<InsertItem[]> {
  const now = ctx.clock.now();
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
  return items.map((m, i): InsertItem => {
    const place = places[i] as (typeof places)[number];
    const context = contexts[i] as Context;
    return {
      id: place.id,
      text: m.text,
      kind: place.kind,
      actor: m.actor ?? 'creator',
      source: m.source ?? {},
      salience: m.salience ?? 0.5,
      pinned: m.pinned ?? false,
      vector: vectors[i] ?? null,
      createdAt: place.createdAt,
      context: context.context,
      contextId: context.contextId,
    };
  });
}

export function createAdd(ctx: MemoryContext, ulid: UlidFactory, added?: Counter): MemoryApi['add'] {
  return async (items) => {
    items.forEach(validateNew);
    if (!items.length) return [];
    refuseTakenIds(ctx, items);
    const rows = ctx.writer.insert(await insertItems(ctx, items, ulid));
    await ctx.store.mirror(rows);
    await refreshContexts(ctx, affectedBy(ctx, rows));
    ctx.reembedder?.kick();
    added?.inc({}, rows.length);
    ctx.changed(
      'add',
      rows.map((r) => r.id),
    );
    return rows.map(toMemory);
  };
}

/** An add with an idempotency key: a retry returns what the first attempt stored instead of storing it twice. */
export function createAddOnce(
  ctx: MemoryContext,
  keys: ReturnType<typeof createIdempotencyKeys>,
  add: MemoryApi['add'],
): MemoryApi['addOnce'] {
  /** The memories with these ids, if every one is stored (a retry of a completed add). */
  const stored = (ids: string[]): Memory[] | undefined => {
    const rows = ctx.rows.many(ids);
    return rows.size === ids.length ? ids.map((id) => toMemory(rows.get(id) as MemoryRow)) : undefined;
  };
  return async (key, items) => {
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
}
