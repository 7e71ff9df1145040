/**
 * Changing memories (MemoryApi.edit, forget and pin): SQLite first (with the sync journal and a revision), then the
 * vector store, then the contexts of the memories that follow (docs/memory-recall.md, "Contextual memories").
 */
import { ProgenyError, usageError } from '../errors.js';
import type { EditPatch } from './api.js';
import { vectorsFor, type MemoryContext } from './context.js';
import { toMemory, type MemoryRow } from './rows.js';
import { validateNew } from './service-add.js';
import { affectedBy, refreshContexts } from './thread-refresh.js';
import type { Memory } from './types.js';
import { textHash, toBlob } from './vectors.js';
import { UNEMBEDDED } from './writer.js';

/** A memory that can still change: forgotten ones cannot. */
function mutable(ctx: MemoryContext, id: string): MemoryRow {
  const row = ctx.rows.resolve(id);
  if (row.status === 'forgotten')
    throw new ProgenyError('MEMORY_FORGOTTEN', `memory ${row.id} was forgotten; its text is gone`, {
      hint: 'add it again with `progeny memory add`',
    });
  return row;
}

/** The columns a new text changes: its hash, and its vector (none yet when the model makes it after the write). */
async function newText(ctx: MemoryContext, before: MemoryRow, text: string) {
  const [fresh] = await vectorsFor(ctx, [{ text, context: before.context }]);
  return {
    text,
    text_hash: textHash(text),
    vector: fresh ? toBlob(fresh) : null,
    embedder: fresh ? ctx.embedder.id : UNEMBEDDED,
  };
}

export async function editMemory(ctx: MemoryContext, id: string, patch: EditPatch, reason?: string): Promise<Memory> {
  const before = mutable(ctx, id);
  if (patch.text !== undefined && !patch.text.trim())
    throw usageError('the new text is empty', 'to forget a memory use `progeny memory forget`');
  validateNew({
    text: patch.text ?? before.text,
    ...(patch.kind ? { kind: patch.kind } : {}),
    ...(patch.salience !== undefined ? { salience: patch.salience } : {}),
  });
  const textChanged = patch.text !== undefined && patch.text !== before.text;
  const after = ctx.writer.patch(
    before,
    {
      ...(textChanged ? await newText(ctx, before, patch.text as string) : {}),
      ...(patch.kind ? { kind: patch.kind } : {}),
      ...(patch.salience !== undefined ? { salience: patch.salience } : {}),
    },
    reason || 'edited',
  );
  await ctx.store.mirror([after]);
  // A new kind may take it into or out of its conversation's thread; a new text is the next one's context.
  if (textChanged || after.kind !== before.kind) await refreshContexts(ctx, [after.id, ...affectedBy(ctx, [after])]);
  if (textChanged) ctx.reembedder?.kick();
  ctx.changed('edit', [after.id]);
  return toMemory(after);
}

export async function forgetMemory(ctx: MemoryContext, id: string): Promise<Memory> {
  const before = ctx.rows.resolve(id);
  if (before.status === 'forgotten') return toMemory(before);
  if ('evict' in ctx.embedder) (ctx.embedder as { evict(t: string): void }).evict(before.text);
  const after = ctx.writer.forgetRow(before);
  await ctx.store.mirror([after]);
  // The memory after it was indexed with its words: that context goes too (thread-refresh.ts).
  await refreshContexts(ctx, affectedBy(ctx, [after]));
  ctx.changed('forget', [after.id]);
  return toMemory(after);
}

export async function pinMemory(ctx: MemoryContext, id: string, pinned: boolean): Promise<Memory> {
  const before = mutable(ctx, id);
  if ((before.pinned === 1) === pinned) return toMemory(before);
  const after = ctx.writer.patch(before, { pinned: pinned ? 1 : 0 }, null);
  ctx.changed('pin', [after.id]);
  return toMemory(after);
}
