/**
 * Contextual memories (docs/memory-recall.md, "Contextual memories"). A reply such as "Yes, last Tuesday!" holds none
 * of the words of the question it answers, so an interaction that names its conversation (`source.conversation`) is
 * indexed with the end of the interaction before it in that conversation: by creation time, then by the order the
 * memories were written (label). That context is searched in the full-text index (a second column) and mixed into
 * the memory's vector (contextualVectors); the memory is still shown, exported and synced as its own text. Facts,
 * summaries, reflections, pinned memories and anything without a conversation stand alone.
 */
import type { Db } from '../store/db.js';
import type { Embedder, MemoryKind, MemorySource } from './types.js';
import { normalise } from './vectors.js';
import { onFirstUse } from '../store/on-first-use.js';

/** The end of the previous interaction kept as context, in characters (code points, as SQLite's substr counts). */
export const CONTEXT_CHARS = 400;

export interface ThreadPlace {
  id: string;
  kind: MemoryKind;
  source: MemorySource;
  createdAt: number;
  /** Order among memories created at the same moment: the label, or Infinity for one not written yet. */
  label: number;
}

export interface Context {
  context: string;
  contextId: string | null;
}

export const NO_CONTEXT: Context = { context: '', contextId: null };

/** The conversation whose thread a memory belongs to, or null when it stands alone. */
export function threadOf(kind: MemoryKind, source: MemorySource): string | null {
  const c = source.conversation;
  return kind === 'interaction' && typeof c === 'string' && c ? c : null;
}

/** The context a memory takes from the one before it: the end of its text. */
export function contextText(previousText: string): string {
  const cps = Array.from(previousText);
  return cps.length > CONTEXT_CHARS ? cps.slice(-CONTEXT_CHARS).join('') : previousText;
}

const THREAD = "kind = 'interaction' AND json_extract(source, '$.conversation') = ? AND status != 'forgotten'";

export function createThreads(db: Db) {
  // Both use the partial index memories_thread (migration 6); prepared on first use (on-first-use.ts).
  const st = onFirstUse({
    before: () =>
      db.prepare(
        `SELECT id, text, created_at AS createdAt FROM memories WHERE ${THREAD} AND (created_at < ? OR (created_at = ? AND label < ?))
     ORDER BY created_at DESC, label DESC LIMIT 1`,
      ),
    after: () =>
      db.prepare(
        `SELECT id, context_id FROM memories WHERE ${THREAD} AND (created_at > ? OR (created_at = ? AND label > ?))
     ORDER BY created_at, label LIMIT 1`,
      ),
  });
  const bound = (label: number) => (Number.isFinite(label) ? label : Number.MAX_SAFE_INTEGER);
  return {
    /** The memory already written right before this place in its thread. */
    previous(p: ThreadPlace): { id: string; text: string; createdAt: number } | undefined {
      const thread = threadOf(p.kind, p.source);
      if (!thread) return undefined;
      return st.before.get(thread, p.createdAt, p.createdAt, bound(p.label)) as
        { id: string; text: string; createdAt: number } | undefined;
    },
    /** The context of a memory at this place, from the memories already written. */
    contextAt(p: ThreadPlace): Context {
      const prev = this.previous(p);
      return prev ? { context: contextText(prev.text), contextId: prev.id } : NO_CONTEXT;
    },
    /** The memory that comes right after this place in its thread (already written), with the context it has. */
    next(p: ThreadPlace): { id: string; contextId: string | null } | undefined {
      const thread = threadOf(p.kind, p.source);
      if (!thread) return undefined;
      const r = st.after.get(thread, p.createdAt, p.createdAt, bound(p.label)) as
        { id: string; context_id: string | null } | undefined;
      return r && { id: r.id, contextId: r.context_id };
    },
  };
}

export type Threads = ReturnType<typeof createThreads>;

/**
 * Contexts for a batch about to be written: a memory's predecessor may be written already or come earlier in the
 * same batch (an import, or chat memories flushed together), whichever is later in the thread.
 */
export function planContexts(threads: Threads, items: (ThreadPlace & { text: string })[]): Context[] {
  const out: Context[] = items.map(() => NO_CONTEXT);
  const byThread = new Map<string, number[]>();
  items.forEach((it, i) => {
    const t = threadOf(it.kind, it.source);
    if (t) byThread.set(t, [...(byThread.get(t) ?? []), i]);
  });
  for (const idx of byThread.values()) {
    // In the batch, order by creation time, then batch order (they get increasing labels in that order).
    const ordered = [...idx].sort((a, b) => items[a]!.createdAt - items[b]!.createdAt || a - b);
    ordered.forEach((i, pos) => {
      const it = items[i]!;
      const inBatch = pos > 0 ? items[ordered[pos - 1]!]! : undefined;
      const written = threads.previous({ ...it, label: Infinity });
      // A written predecessor created after the batch one is closer; at equal times the batch one was written later.
      const prev = inBatch && (!written || inBatch.createdAt >= written.createdAt) ? inBatch : written;
      out[i] = prev ? { context: contextText(prev.text), contextId: prev.id } : NO_CONTEXT;
    });
  }
  return out;
}

/**
 * How much of its context's direction a memory's vector takes: embedding(text) + 0.5·embedding(context),
 * renormalised. Measured in docs/memory-recall.md (the vector channel alone: 0.5 against 0.3 and 0.7, and against
 * embedding the context and the text as one string).
 */
export const CONTEXT_WEIGHT = 0.5;

/** Vectors of memories with their contexts; a text said twice (a context is often the text before) is embedded once. */
export async function contextualVectors(
  embedder: Embedder,
  items: { text: string; context: string }[],
  signal?: AbortSignal,
): Promise<Float32Array[]> {
  const unique = [...new Set(items.flatMap((it) => (it.context ? [it.text, it.context] : [it.text])))];
  const vectors = await embedder.embed(unique, signal);
  const of = new Map(unique.map((t, i) => [t, vectors[i] as Float32Array]));
  return items.map((it) => {
    const own = of.get(it.text) as Float32Array;
    if (!it.context) return own;
    const ctx = of.get(it.context) as Float32Array;
    return normalise(Float32Array.from(own, (x, i) => x + CONTEXT_WEIGHT * (ctx[i] as number)));
  });
}
