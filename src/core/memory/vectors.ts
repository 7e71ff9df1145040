/** Vector helpers shared by the embedders, the stores and recall: SQLite blob codec, dot product, normalisation. */
import { cryptoLoaded, nodeCrypto } from '../lazy-builtins.js';
import { sha256Hex } from '../sha256.js';

const JS_HASHES = 64;
let jsHashes = 0;

/** A Float32Array as a SQLite blob (copied, so later changes to the array do not leak into the statement). */
export function toBlob(v: Float32Array): Buffer {
  return Buffer.from(v.buffer.slice(v.byteOffset, v.byteOffset + v.byteLength));
}

/** A blob back to a vector; copied because better-sqlite3 buffers need not be 4-byte aligned. */
export function fromBlob(b: Buffer | Uint8Array): Float32Array {
  const copy = new Uint8Array(b.byteLength);
  copy.set(b);
  return new Float32Array(copy.buffer);
}

export function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) s += (a[i] as number) * (b[i] as number);
  return s;
}

type DotsKernel = (q: Float32Array, vectors: Float32Array[]) => Float64Array;
let nativeDots: DotsKernel | undefined;

/**
 * The native dot products of the addon, once something in this process has loaded it (the index reader does): the
 * same values as dot() bit for bit (src/native/ann-addon.cc), so which kernel runs changes only the cost. In a fresh
 * process dot() runs in the interpreter, which boxes every double: ~40 ns an element, and its garbage (16 bytes per
 * operation) set off a third scavenge in `memory search` (docs/performance.md "Start-up").
 */
export function useNativeDots(kernel: DotsKernel | undefined): void {
  nativeDots = kernel;
}

/** Each vector's dot() with q, in one call. */
export function dots(q: Float32Array, vectors: Float32Array[]): Float64Array {
  return nativeDots ? nativeDots(q, vectors) : Float64Array.from(vectors, (v) => dot(q, v));
}

/** Scales v to unit length in place; a zero vector stays zero. */
export function normalise(v: Float32Array): Float32Array {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += (v[i] as number) * (v[i] as number);
  if (s > 0) {
    const inv = 1 / Math.sqrt(s);
    for (let i = 0; i < v.length; i++) v[i] = (v[i] as number) * inv;
  }
  return v;
}

/** The hash an embedding is cached and synced under (docs/sync.md: a synced vector is used only if it matches). */
export function textHash(text: string): string {
  // A one-shot command hashes a text or two: in JavaScript, without loading node:crypto (~3.5 ms). Bulk work (import,
  // reindex, sync) uses node:crypto after that, ~4× faster a text; both give the same digest.
  if (jsHashes < JS_HASHES && !cryptoLoaded()) {
    jsHashes++;
    return sha256Hex(text).slice(0, 32);
  }
  return nodeCrypto().createHash('sha256').update(text).digest('hex').slice(0, 32);
}
