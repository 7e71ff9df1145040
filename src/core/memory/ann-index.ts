/**
 * The HNSW index of the embedded store (usearch: prebuilt binaries, cosine metric, int8 quantisation), keyed by
 * memories.label. The file beside the database is derived data: it is saved atomically (temp file, fsync, rename)
 * and described in meta (`memory_index`: the change_seq it reflects, its size in bytes, point count, embedder), so
 * a missing, torn or foreign file is detected and the index rebuilt from SQLite.
 */
import { closeSync, existsSync, fsyncSync, openSync, renameSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { syncDir } from '../fs-atomic.js';
import { getMeta, setMeta, type Db } from '../store/db.js';
import { openAnnReader } from './ann-reader.js';

export interface AnnIndex {
  /**
   * A view maps the saved file instead of reading it: opening costs nothing whatever the size and only the pages a
   * search touches are read, but it cannot change. The embedded store opens saved indexes as views and loads one
   * (reads it whole) only before it absorbs changes into it.
   */
  readonly viewed: boolean;
  /** Searched by progeny's own reader of the file (ann-reader.ts) rather than by usearch. */
  readonly reader?: boolean;
  /** A view by usearch: why progeny's reader did not open the file (`progeny doctor` shows it). */
  readonly readerFallback?: string;
  add(labels: number[], vectors: Float32Array[]): void;
  remove(label: number): void;
  contains(label: number): boolean;
  search(q: Float32Array, k: number): number[];
  size(): number;
  save(path: string): number;
}

export interface IndexMeta {
  seq: number;
  bytes: number;
  count: number;
  embedder: string;
  dims: number;
  /** The build parameters of the graph (graphParams()): a graph built with others is rebuilt, not reused. */
  graph?: string;
  /**
   * The members no search of the saved graph reaches, found when it was saved (index-reachability.ts): every
   * process scans them exactly. Absent when the file was saved by an older progeny or could not be walked.
   */
  unreachable?: number[];
}

/**
 * Measured on the bench corpus (100k memories, 45% of them repeated texts, builtin-hash-v2 vectors), recall@10 of
 * exact search with ties counted: expansion_add 96 built a graph that found 0.78–0.82 whatever the search expansion
 * or the number of candidates; expansion_add 256 finds 0.98 with expansion_search 128 (0.99 with 256, at about
 * 1.5× the search time). Connectivity 32 gave the same recall at twice the graph memory. Building costs about 2.5×
 * more, which the background absorber spreads out in short steps.
 */
export const HNSW = { connectivity: 16, expansionAdd: 256, expansionSearch: 128 };

export const graphParams = (): string => `i8/cos/M${HNSW.connectivity}/efa${HNSW.expansionAdd}`;
const META_KEY = 'memory_index';

interface UsearchIndex {
  add(keys: BigUint64Array, vectors: Float32Array, threads?: number): void;
  remove(keys: bigint): number;
  contains(keys: bigint): boolean;
  search(v: Float32Array, k: number, threads?: number): { keys: BigUint64Array };
  size(): number;
  save(path: string): void;
  load(path: string): void;
  view(path: string): void;
}

/**
 * Scales a vector so its largest component is ±1. Cosine does not change, but int8 quantisation then uses its whole
 * range: hashed-feature vectors have small components (~0.05) that would otherwise round to a handful of levels.
 */
export function spread(v: Float32Array): Float32Array {
  let max = 0;
  for (let i = 0; i < v.length; i++) max = Math.max(max, Math.abs(v[i] as number));
  if (max === 0) return v;
  const out = new Float32Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = (v[i] as number) / max;
  return out;
}

export function createAnnIndex(dims: number, file?: string, open: 'load' | 'view' = 'load'): AnnIndex {
  // Loaded lazily: a native module that only searches need.
  const { Index } = createRequire(import.meta.url)('usearch') as { Index: new (o: object) => UsearchIndex };
  const idx = new Index({
    dimensions: dims,
    metric: 'cos',
    quantization: 'i8',
    connectivity: HNSW.connectivity,
    expansion_add: HNSW.expansionAdd,
    expansion_search: HNSW.expansionSearch,
  });
  if (file && open === 'view') idx.view(file);
  else if (file) idx.load(file);
  return {
    viewed: file !== undefined && open === 'view',
    add(labels, vectors) {
      if (!labels.length) return;
      const flat = new Float32Array(labels.length * dims);
      vectors.forEach((v, i) => flat.set(spread(v.subarray(0, dims)), i * dims));
      // One thread: usearch's concurrent add can leave a node that no search reaches, even with its own vector as the
      // query (usearch issue #735, unfixed in the version we use). Measured on 400 near-alike memories: 17 of 40,000
      // nodes stranded over 100 builds with every core, none with one; and 5 of 100 memories added later to such a
      // graph unreachable. A bulk build takes up to twice as long on two cores (docs/performance.md).
      idx.add(
        BigUint64Array.from(labels, (l) => BigInt(l)),
        flat,
        1,
      );
    },
    remove: (label) => void idx.remove(BigInt(label)),
    contains: (label) => idx.contains(BigInt(label)),
    search(q, k) {
      if (idx.size() === 0) return [];
      return Array.from(idx.search(spread(q), Math.min(k, idx.size()), 1).keys, Number);
    },
    size: () => idx.size(),
    /** Atomic: a crash leaves the old file or the new one. Returns the file's size. */
    save(path) {
      const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
      try {
        idx.save(tmp);
        const fd = openSync(tmp, 'r+');
        fsyncSync(fd);
        closeSync(fd);
        renameSync(tmp, path);
      } finally {
        rmSync(tmp, { force: true });
      }
      syncDir(dirname(path));
      return statSync(path).size;
    },
  };
}

export function readIndexMeta(db: Db): IndexMeta | null {
  const raw = getMeta(db, META_KEY);
  try {
    return raw ? (JSON.parse(raw) as IndexMeta) : null;
  } catch {
    return null;
  }
}

export function writeIndexMeta(db: Db, m: IndexMeta): void {
  setMeta(db, META_KEY, JSON.stringify(m));
}

/** Who reads a saved index opened only to search: progeny's reader when it can (auto), or usearch's view. */
export type IndexReader = 'auto' | 'usearch';

/**
 * Opens the saved index (a view unless `open` is 'load') if the file matches its meta (same embedder, dimension,
 * graph parameters, byte size); null means rebuild. A view is progeny's reader (ann-reader.ts) unless `reader` is
 * 'usearch' or the reader cannot read the file (the index's readerFallback says why).
 */
export function loadSavedIndex(
  db: Db,
  file: string,
  embedder: string,
  dims: number,
  open: 'load' | 'view' = 'view',
  reader: IndexReader = 'auto',
): { index: AnnIndex; seq: number; unreachable: number[] } | null {
  const m = readIndexMeta(db);
  if (
    !m ||
    m.embedder !== embedder ||
    m.dims !== dims ||
    m.graph !== graphParams() ||
    !existsSync(file) ||
    statSync(file).size !== m.bytes
  )
    return null;
  try {
    const index = open === 'view' ? viewSaved(file, dims, reader) : createAnnIndex(dims, file, open);
    return index.size() === m.count ? { index, seq: m.seq, unreachable: m.unreachable ?? [] } : null;
  } catch {
    return null;
  }
}

/** The saved file by progeny's reader, or by usearch's view with the reason the reader did not open it. */
function viewSaved(file: string, dims: number, reader: IndexReader): AnnIndex {
  const got =
    reader === 'usearch'
      ? { reason: 'memory.indexReader is usearch' }
      : openAnnReader(file, dims, { expansion: HNSW.expansionSearch, prepare: spread });
  return 'index' in got ? got.index : { ...createAnnIndex(dims, file, 'view'), readerFallback: got.reason };
}
