/**
 * progeny's own read-only reader of the saved HNSW index (src/native/ann-reader.cc, in the native addon): opening
 * maps the file and checks its sizes, whatever the number of memories, where usearch's `view` walks every node
 * (~9 ms at 100k memories, ~70 ms at 1M: docs/performance.md "The memory index between processes"). It returns what
 * usearch's search returns on the same file, up to the order of near-ties (it computes the exact cosine of the int8
 * vectors where usearch uses an approximate reciprocal square root). Read only: a process that absorbs changes loads
 * the file with usearch instead (ann-index.ts). Any file it does not accept, or no addon, is a reason to use usearch.
 */
import { existsSync } from 'node:fs';
import { ProgenyError } from '../errors.js';
import type { AnnIndex } from './ann-index.js';
import { defaultAddonPath } from './embedder-native.js';
import { useNativeDots } from './vectors.js';

export interface AnnReaderAddon {
  annOpen(path: string, dims: number): object;
  annSize(handle: object): number;
  annSearch(handle: object, query: Float32Array, k: number, expansion: number): Float64Array;
  annContains(handle: object, key: number): boolean;
  annReachability?(handle: object, maxKeys: number): { members: number; unreached: number; keys: Float64Array };
  annClose(handle: object): void;
  /** vectors.ts dot() of each vector with the query (absent from a build before it). */
  annDots?(query: Float32Array, vectors: Float32Array[]): Float64Array;
}

const loaded = new Map<string, Partial<AnnReaderAddon>>();

/**
 * The addon's reader, or why there is none (not built, an older build, not loadable here). Loaded with
 * process.dlopen, as require() does in the end, without require()'s resolution of the path (~0.2 ms of a
 * `memory search`: docs/performance.md "Start-up"); loaded once per path.
 */
export function loadReaderAddon(path = defaultAddonPath()): { addon: AnnReaderAddon } | { reason: string } {
  try {
    let addon = loaded.get(path);
    if (!addon) {
      const holder = { exports: {} as Partial<AnnReaderAddon> };
      process.dlopen(holder, path);
      loaded.set(path, (addon = holder.exports));
    }
    if (typeof addon.annOpen !== 'function') return { reason: 'the native addon has no index reader (an older build)' };
    return { addon: addon as AnnReaderAddon };
  } catch (err) {
    if (!existsSync(path)) return { reason: 'the native addon is not built' };
    return { reason: `the native addon does not load (${(err as Error).message.split('\n')[0]})` };
  }
}

const readOnly = (): never => {
  throw new ProgenyError('UNEXPECTED', 'the index reader is read-only: load the index with usearch to change it');
};

export interface ReaderOptions {
  /** The beam width of the base-level search (usearch's expansion_search). */
  expansion: number;
  /** What usearch is given for a query (ann-index.ts spreads it before the int8 cast). */
  prepare: (q: Float32Array) => Float32Array;
  addonFile?: string;
}

/**
 * Opens `file` (an index of `dims` dimensions) with the reader, or says why not: the caller then views it with
 * usearch. A file damaged in a way only a search finds (a neighbour out of range) fails that search with
 * INDEX_CORRUPT; no read ever leaves the file.
 */
export function openAnnReader(
  file: string,
  dims: number,
  { expansion, prepare, addonFile }: ReaderOptions,
): { index: AnnIndex } | { reason: string } {
  const got = loadReaderAddon(addonFile);
  if ('reason' in got) return got;
  const { addon } = got;
  // Loaded now in any case: recall's exact re-scoring may as well run in it (vectors.ts dots()).
  const annDots = addon.annDots;
  if (annDots) useNativeDots((q, vectors) => annDots.call(addon, q, vectors));
  let handle: object;
  try {
    handle = addon.annOpen(file, dims);
  } catch (err) {
    return { reason: `the index reader refused the file (${(err as Error).message})` };
  }
  const size = addon.annSize(handle);
  const index: AnnIndex = {
    viewed: true,
    reader: true,
    add: readOnly,
    remove: readOnly,
    save: readOnly,
    contains: (label) => addon.annContains(handle, label),
    size: () => size,
    search(q, k) {
      if (size === 0) return [];
      try {
        return Array.from(addon.annSearch(handle, prepare(q), Math.min(k, size), expansion));
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        if (e.code !== 'ANN_CORRUPT') throw err;
        throw new ProgenyError('INDEX_CORRUPT', `the memory index file ${file} is damaged: ${e.message}`);
      }
    },
  };
  return { index };
}
