/** What the memory service's parts share: the store, the writer, lookups and the change notifier. */
import type { Clock } from '../clock.js';
import type { Config } from '../config/schema.js';
import type { Db } from '../store/db.js';
import type { createLexicalSearch } from './lexical.js';
import type { OldVectors } from './old-vectors.js';
import type { memoryRows } from './rows.js';
import type { Reembedder } from './reembed.js';
import { contextualVectors, type Threads } from './thread.js';
import type { Embedder, MemoryStore } from './types.js';
import type { Writer } from './writer.js';
import type { QueryVectors } from './query-vector.js';

export type MemoryOp = 'add' | 'edit' | 'forget' | 'pin' | 'archive' | 'restore';

export interface MemoryContext {
  db: Db;
  clock: Clock;
  config: Config;
  embedder: Embedder;
  store: MemoryStore;
  writer: Writer;
  rows: ReturnType<typeof memoryRows>;
  lexical?: ReturnType<typeof createLexicalSearch>;
  /** The former embedders' vectors of memories not re-embedded yet (old-vectors.ts). */
  oldVectors?: OldVectors;
  /** Each interaction's place in its conversation, for its context (thread.ts). */
  threads: Threads;
  changed(op: MemoryOp, ids: string[]): void;
  /** The query's vector for recall, or null with the reason the words decide alone (query-vector.ts). */
  queryVector?: QueryVectors;
  /** Fills in vectors after their memories (set once the context exists). */
  reembedder?: Reembedder;
}

/**
 * Vectors for texts about to be written, each with its context (thread.ts). A cheap embedder (the hash one) answers now; otherwise the rows are written
 * without one (null) and the re-embedder, kicked after the write, fills them in: a memory never waits for a model to
 * be durable, and it is findable by its words meanwhile (docs/embeddings.md).
 */
export async function vectorsFor(
  ctx: MemoryContext,
  items: { text: string; context: string }[],
): Promise<(Float32Array | null)[]> {
  if (ctx.embedder.cheap || !ctx.reembedder) return contextualVectors(ctx.embedder, items);
  ctx.reembedder.wrote();
  return items.map(() => null);
}
