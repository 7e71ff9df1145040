/**
 * Keeping contexts true (thread.ts). A memory's context is the end of the interaction before it, so it changes when
 * that one is forgotten or edited, or when a memory is written between the two (an import out of order). Forgetting
 * purges: the successor's context and vector, which carried the forgotten text, are cleared in the same transaction
 * as the caller's change would be seen (before this returns), then rebuilt from its new predecessor.
 */
import { immediate, nextCounter } from '../store/db.js';
import type { MemoryContext } from './context.js';
import type { MemoryRow } from './rows.js';
import { contextualVectors, type Context } from './thread.js';
import type { MemorySource } from './types.js';
import { toBlob } from './vectors.js';

export const placeOf = (r: MemoryRow) => ({
  id: r.id,
  kind: r.kind,
  source: JSON.parse(r.source) as MemorySource,
  createdAt: r.created_at,
  label: r.label,
});

/** Written memories whose context may have changed because these rows were written, edited or forgotten. */
export function affectedBy(ctx: MemoryContext, rows: MemoryRow[]): string[] {
  const changed = new Set(rows.map((r) => r.id));
  const out = new Set<string>();
  const pointing = ctx.db.prepare('SELECT id FROM memories WHERE context_id = ?').pluck();
  for (const r of rows) {
    for (const id of pointing.all(r.id) as string[]) if (!changed.has(id)) out.add(id);
    const next = ctx.threads.next(placeOf(r));
    if (next && !changed.has(next.id) && next.contextId !== r.id) out.add(next.id);
  }
  return [...out];
}

/**
 * Recomputes the contexts of these memories. Those that changed lose their vector at once (purging what it carried)
 * and are re-embedded with the new context, now with the built-in embedder, in the background (reembed.ts) with a
 * model; meanwhile, or if embedding fails, they are findable by their words.
 */
export async function refreshContexts(ctx: MemoryContext, ids: string[]): Promise<void> {
  if (!ids.length) return;
  const clear = ctx.db.prepare(
    "UPDATE memories SET context = ?, context_id = ?, vector = NULL, embedder = '', change_seq = ? WHERE id = ?",
  );
  const changed = immediate(ctx.db, () => {
    const out: MemoryRow[] = [];
    for (const row of ctx.rows.many(ids).values()) {
      if (row.status === 'forgotten') continue;
      const c = ctx.threads.contextAt(placeOf(row));
      if (c.context === row.context && c.contextId === row.context_id) continue;
      const seq = nextCounter(ctx.db, 'memory_seq');
      clear.run(c.context, c.contextId, seq, row.id);
      out.push({ ...row, context: c.context, context_id: c.contextId, vector: null, embedder: '', change_seq: seq });
    }
    return out;
  });
  await ctx.store.mirror(changed);
  if (!changed.length) return;
  // A model embeds in the background, new memories first; the cheap built-in embedder answers now.
  if (!ctx.embedder.cheap) return ctx.reembedder?.kick();
  try {
    await embedRows(ctx, changed);
  } catch {
    // Left without a vector: the stale re-embedding (reindex) picks these rows up.
  }
}

/** Embeds rows with their contexts and stores the vectors (rows whose text changed meanwhile are left alone). */
export async function embedRows(ctx: MemoryContext, rows: MemoryRow[]): Promise<MemoryRow[]> {
  if (!rows.length) return [];
  const vectors = await contextualVectors(ctx.embedder, rows);
  const put = ctx.db.prepare(
    'UPDATE memories SET vector = ?, embedder = ?, change_seq = ? WHERE id = ? AND text = ? AND context = ?',
  );
  const fresh = immediate(ctx.db, () =>
    rows.flatMap((r, i) => {
      const row = {
        ...r,
        vector: toBlob(vectors[i] as Float32Array),
        embedder: ctx.embedder.id,
        change_seq: nextCounter(ctx.db, 'memory_seq'),
      };
      return put.run(row.vector, row.embedder, row.change_seq, r.id, r.text, r.context).changes ? [row] : [];
    }),
  );
  await ctx.store.mirror(fresh);
  return fresh;
}

/**
 * A page of written memories embedded again, each with its context as it is now (a synced memory arrives without
 * one, and the one before it may have changed): the vectors, and the rows as they are to be stored.
 */
export async function embedPageInContext(
  ctx: MemoryContext,
  rows: MemoryRow[],
  signal?: AbortSignal,
): Promise<{ vectors: Float32Array[]; stored: (r: MemoryRow, i: number) => MemoryRow }> {
  const contexts = rows.map((r) => ctx.threads.contextAt(placeOf(r)));
  const inputs = rows.map((r, i) => ({ text: r.text, context: (contexts[i] as Context).context }));
  const vectors = await contextualVectors(ctx.embedder, inputs, signal);
  const stored = (r: MemoryRow, i: number): MemoryRow => {
    const c = contexts[i] as Context;
    const vector = toBlob(vectors[i] as Float32Array);
    return {
      ...r,
      vector,
      embedder: ctx.embedder.id,
      change_seq: nextCounter(ctx.db, 'memory_seq'),
      context: c.context,
      context_id: c.contextId,
    };
  };
  return { vectors, stored };
}

/**
 * Rows stored with fresh vectors reach the index, and the memories after them get their contexts refreshed: a synced
 * memory may land between two others, or change the text the next one is indexed with.
 */
export async function publishReembedded(ctx: MemoryContext, fresh: MemoryRow[]): Promise<void> {
  await ctx.store.mirror(fresh);
  await refreshContexts(ctx, affectedBy(ctx, fresh));
}
