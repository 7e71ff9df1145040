/** What the memory service's parts share: the store, the writer, lookups and the change notifier. */
import type { Clock } from '../clock.js';
import type { Config } from '../config/schema.js';
import type { Db } from '../store/db.js';
import type { createLexicalSearch } from './lexical.js';
import type { MemoryRow, memoryRows } from './rows.js';
import type { Threads } from './thread.js';
import type { Embedder, MemoryStore, VectorPoint } from './types.js';
import { fromBlob } from './vectors.js';
import type { Writer } from './writer.js';

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
  /** Each interaction's place in its conversation, for its context (thread.ts). */
  threads: Threads;
  changed(op: MemoryOp, ids: string[]): void;
}

export function pointOf(r: MemoryRow): VectorPoint {
  return {
    id: r.id,
    label: r.label,
    vector: fromBlob(r.vector as Buffer),
    payload: { actor: r.actor, kind: r.kind, createdAt: r.created_at, salience: r.salience },
  };
}

/** Brings the vector store in line with rows just committed: active rows with a vector are searchable, others not. */
export async function syncStore(store: MemoryStore, rows: MemoryRow[]): Promise<void> {
  const up = rows.filter((r) => r.status === 'active' && r.vector);
  const down = rows.filter((r) => !(r.status === 'active' && r.vector));
  if (up.length) await store.upsert(up.map(pointOf));
  if (down.length) await store.remove(down.map((r) => ({ id: r.id, label: r.label })));
}
