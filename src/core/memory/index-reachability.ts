/**
 * Memories the saved vector index can no longer reach (docs/performance.md, "Memories no search reaches"): usearch's
 * concurrent add (usearch issue #735) can strand a node that no search reaches, not even with its own vector, and an
 * index built that way before ann-index.ts added on one thread keeps such nodes in its saved file until a rebuild.
 * Their memories are then found by their words only, silently. This walks the saved graph with progeny's reader
 * (src/native/ann-reader.cc, reachability()) and names the memories whose current vector is among the stranded
 * nodes. A walk of every node's lists: `progeny doctor` runs it, never a search.
 */
import { existsSync, statSync } from 'node:fs';
import { ProgenyError } from '../errors.js';
import type { Db } from '../store/db.js';
import { graphParams, readIndexMeta, type AnnIndex } from './ann-index.js';
import { loadReaderAddon } from './ann-reader.js';

import { pointOf } from './store-rows.js';
import type { StoreRow, VectorPoint } from './types.js';

export type { IndexRepair } from './types.js';

export interface Reachability {
  /** The members of the saved graph (its live nodes). */
  members: number;
  /** Members no search reaches. */
  unreached: number;
  /** The first `maxKeys` of them, by label. */
  labels: number[];
}

/**
 * The reachability of the saved index `file` of `dims` dimensions, or why the reader could not open it. A graph
 * damaged where the walk finds it (a neighbour out of range) is INDEX_CORRUPT, as a search reports it.
 */
export function fileReachability(
  file: string,
  dims: number,
  maxKeys = 20,
  addonFile?: string,
): Reachability | { reason: string } {
  const got = loadReaderAddon(addonFile);
  if ('reason' in got) return got;
  const { addon } = got;
  const walk = addon.annReachability;
  if (!walk) return { reason: 'the native addon has no reachability check (an older build)' };
  let handle: object;
  try {
    handle = addon.annOpen(file, dims);
  } catch (err) {
    return { reason: `the index reader refused the file (${(err as Error).message})` };
  }
  try {
    const r = walk.call(addon, handle, maxKeys);
    return { members: r.members, unreached: r.unreached, labels: Array.from(r.keys) };
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code !== 'ANN_CORRUPT') throw err;
    throw new ProgenyError('INDEX_CORRUPT', `the memory index file ${file} is damaged: ${e.message}`);
  } finally {
    addon.annClose(handle);
  }
}

export interface SavedReachability extends Reachability {
  /** Stranded members whose memory still holds the vector the file has for it (all of them, when more were found
   * than could be looked up). */
  memories: number;
  /** Their ids (of the first `maxKeys` stranded labels), those the meta does not list first. */
  ids: string[];
  /** Of them, those the index's meta lists, which every search scans exactly (store-embedded.ts). */
  searched: number;
}

/**
 * The saved index of a home, checked: null when there is none this embedder would use (no file, or one its meta
 * does not describe: the next process rebuilds it), the reason when the reader cannot open it. A stranded label whose
 * memory changed or went since the save is not counted: a writer removes and re-adds that node when it absorbs the
 * change, and meanwhile searches find the memory's new vector in the tail (tail-log.ts).
 */
export function savedIndexReachability(
  db: Db,
  file: string,
  embedder: string,
  maxKeys = 1000,
): SavedReachability | { reason: string } | null {
  const meta = readIndexMeta(db);
  if (!meta || meta.embedder !== embedder || meta.graph !== graphParams()) return null;
  if (!existsSync(file) || statSync(file).size !== meta.bytes) return null;
  const got = fileReachability(file, meta.dims, maxKeys);
  if ('reason' in got) return got;
  const current = db
    .prepare(
      "SELECT id FROM memories WHERE label = ? AND status = 'active' AND embedder = ? AND vector IS NOT NULL AND change_seq <= ?",
    )
    .pluck();
  const listed = new Set(meta.unreachable ?? []);
  const lost: string[] = [];
  const searched: string[] = [];
  for (const label of got.labels) {
    const id = current.get(label, meta.embedder, meta.seq) as string | undefined;
    if (id !== undefined) (listed.has(label) ? searched : lost).push(id);
  }
  const memories = lost.length + searched.length + (got.unreached - got.labels.length);
  return { ...got, memories, ids: [...lost, ...searched], searched: searched.length };
}

/** How many stranded memories one repair re-adds at most (a damaged graph could claim every node). */
const REPAIR_MAX = 100_000;

/**
 * Removes the stranded memories of the saved `file` from `index` (the same graph, loaded) and adds them again, on one
 * thread, with the vectors the database holds for them (those saved with the file: change_seq ≤ seq); the caller then
 * saves. The labels it re-added, or null when the reader cannot check the file.
 */
export function readdStranded(
  db: Db,
  file: string,
  index: AnnIndex,
  at: { dims: number; embedder: string; seq: number },
): { found: number; labels: number[] } | null {
  const got = fileReachability(file, at.dims, REPAIR_MAX);
  if ('reason' in got) return null;
  const points = strandedPoints(db, got.labels, at.embedder, at.seq).filter((p) => p.vector.length === at.dims);
  const labels = points.map((p) => p.label);
  const vectors = points.map((p) => p.vector);
  for (const label of labels) index.remove(label);
  index.add(labels, vectors);
  return { found: got.unreached, labels };
}

/**
 * How many stranded labels a save records in the index's meta (beyond, doctor warns and reindex re-adds them). Every
 * search scans the listed memories exactly, as it scans the tail: 256 of 384 dimensions take ~0.2–0.3 ms a search,
 * 885 ~0.75 ms (docs/performance.md "Memories no search reaches"), so the list stays as short as the tail a process
 * that only searched leaves (store-embedded.ts VIEW_TAIL_MAX).
 */
export const STRANDED_MAX = 256;

/**
 * The stranded labels of a file just saved, for its meta; undefined when the reader cannot walk it (no addon, a
 * layout it does not know): a save never fails for the check's sake.
 */
export function strandedLabels(file: string, dims: number): number[] | undefined {
  try {
    const got = fileReachability(file, dims, STRANDED_MAX);
    return 'reason' in got ? undefined : got.labels;
  } catch {
    return undefined;
  }
}

/**
 * The points of the stranded memories whose vector is the one saved (change_seq ≤ seq): a store scans them exactly
 * beside the graph, so that its vectors find them although no walk of the graph does.
 */
export function strandedPoints(db: Db, labels: readonly number[], embedder: string, seq: number): VectorPoint[] {
  if (!labels.length) return [];
  const row = db.prepare(
    "SELECT id, label, actor, kind, created_at, salience, status, revision, vector FROM memories WHERE label = ? AND status = 'active' AND embedder = ? AND vector IS NOT NULL AND change_seq <= ?",
  );
  const points: VectorPoint[] = [];
  // In label order, the rows' pages are read in the order of the table's index: 2.5–5 ms for 361 rows of a 1M home
  // where the slot order took 5–12 ms.
  // Bounded as a save writes it: a meta edited by hand cannot make every search scan more.
  for (const label of labels.slice(0, STRANDED_MAX).sort((a, b) => a - b)) {
    const r = row.get(label, embedder, seq) as (StoreRow & { vector: Buffer }) | undefined;
    if (r) points.push(pointOf(r));
  }
  return points;
}
