/**
 * The state of one embedded memory index (store-embedded.ts): the HNSW graph, the tail of changes it has not absorbed
 * yet, and the file it was saved to. Opening, reading changes into the tail, absorbing them and saving; when and by
 * whom is the store's business (docs/performance.md "Memory index").
 */
import type { Paths } from '../paths.js';
import type { Db } from '../store/db.js';
import {
  createAnnIndex,
  graphParams,
  loadSavedIndex,
  writeIndexMeta,
  type AnnIndex,
  type IndexReader,
} from './ann-index.js';
import { strandedLabels, strandedPoints } from './index-reachability.js';
import { TailLog } from './tail-log.js';
import type { Embedder, StoreRow } from './types.js';
import { fromBlob } from './vectors.js';

export interface IndexStateDeps {
  db: Db;
  paths: Paths;
  embedder: Embedder;
  indexReader?: IndexReader;
}

/** A memories row as the index follows it: what every store reflects, plus the vector's embedder and change seq. */
export interface SyncRow extends Omit<StoreRow, 'revision'> {
  embedder: string;
  change_seq: number;
}

export interface IndexState {
  index: AnnIndex;
  tail: TailLog;
  dims: number;
  embedder: string;
  /** The change_seq of the saved file this state started from, -1 for none. */
  savedSeq: number;
}

/**
 * Opens the saved index (a view: a command that only searches never reads the whole file), or starts an empty one
 * whose tail replays every row (a rebuild). Null while there is no vector to learn the dimension from.
 */
export function openIndexState(deps: IndexStateDeps, open: 'view' | 'load'): IndexState | null {
  const { db, paths, embedder } = deps;
  const sample = db
    .prepare("SELECT vector FROM memories WHERE status = 'active' AND embedder = ? AND vector IS NOT NULL LIMIT 1")
    .pluck()
    .get(embedder.id) as Buffer | undefined;
  const dims = embedder.dimensions || (sample ? sample.byteLength / 4 : 0);
  if (!dims) return null;
  const saved = loadSavedIndex(db, paths.memoryIndex, embedder.id, dims, open, deps.indexReader);
  const tail = new TailLog(dims, saved?.seq ?? 0);
  const s: IndexState = {
    index: saved?.index ?? createAnnIndex(dims),
    tail,
    dims,
    embedder: embedder.id,
    savedSeq: saved ? saved.seq : -1,
  };
  if (saved) scanStrandedExactly(db, s, saved.unreachable, saved.seq);
  return s;
}

/** Moves the rows changed after `fromSeq` into the tail: a searchable point, or a removal. Returns the last seq. */
export function readChanges(rows: Iterable<SyncRow>, s: IndexState, fromSeq: number): number {
  let seq = fromSeq;
  for (const r of rows) {
    const ok = r.status === 'active' && r.vector && r.embedder === s.embedder && r.vector.byteLength === s.dims * 4;
    s.tail.push(
      r.change_seq,
      r.id,
      r.label,
      ok
        ? {
            id: r.id,
            label: r.label,
            vector: fromBlob(r.vector as Buffer),
            payload: { actor: r.actor, kind: r.kind, createdAt: r.created_at, salience: r.salience },
          }
        : null,
    );
    seq = r.change_seq;
  }
  return seq;
}

/** Changes absorbed into the graph since the file it started from was saved (every change, for a rebuild). */
export const unsavedChanges = (s: IndexState): number => s.tail.indexedSeq - Math.max(0, s.savedSeq);

/** Moves pending changes into the graph, a chunk at a time, for at most `ms`. */
export function absorb(s: IndexState, chunk: number, ms: number): void {
  const until = performance.now() + ms;
  while (s.tail.length && performance.now() < until) s.tail.drain(s.index, chunk);
}

/** How a viewed index is searched: by progeny's reader, or by usearch and why (docs/performance.md). */
export function readerNote(index: AnnIndex): string {
  if (!index.viewed) return '';
  return index.reader ? ', read by progeny' : `, viewed by usearch (${index.readerFallback ?? 'reader not tried'})`;
}

/**
 * Memories the saved graph cannot reach (listed in its meta at save) are searched exactly, as the changes after it
 * are (docs/performance.md, "Memories no search reaches"). A point the tail already holds is newer: it stays.
 */
function scanStrandedExactly(db: Db, s: IndexState, labels: readonly number[], seq: number): void {
  for (const p of strandedPoints(db, labels, s.embedder, seq)) if (!s.tail.flat.has(p.id)) s.tail.flat.set(p);
}

/** Writes the graph to `file` and its meta, with the memories the written graph cannot reach (then scanned exactly). */
export function saveIndexState(db: Db, file: string, s: IndexState): void {
  const bytes = s.index.save(file);
  // The walk costs a fifth to a half of the save (docs/performance.md, "Memories no search reaches").
  const unreachable = strandedLabels(file, s.dims);
  writeIndexMeta(db, {
    seq: s.tail.indexedSeq,
    bytes,
    count: s.index.size(),
    embedder: s.embedder,
    dims: s.dims,
    graph: graphParams(),
    ...(unreachable ? { unreachable } : {}),
  });
  scanStrandedExactly(db, s, unreachable ?? [], s.tail.indexedSeq);
  s.savedSeq = s.tail.indexedSeq;
}
