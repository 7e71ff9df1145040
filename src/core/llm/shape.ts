/** Small validators for JSON from a model server: each failure names the field and what was expected. */
import { WireError } from './wire-error.js';

export type Json = Record<string, unknown>;

export function isRecord(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function bad(what: string, expected: string, got: unknown): never {
  const kind = got === null ? 'null' : Array.isArray(got) ? 'an array' : typeof got;
  throw new WireError('bad_response', `${what} should be ${expected}, got ${kind}`);
}

export function record(v: unknown, what: string): Json {
  return isRecord(v) ? v : bad(what, 'an object', v);
}

export function array(v: unknown, what: string): unknown[] {
  return Array.isArray(v) ? v : bad(what, 'an array', v);
}

export function string(v: unknown, what: string): string {
  return typeof v === 'string' ? v : bad(what, 'a string', v);
}

/** A string, or undefined when absent or null (servers differ on which they send). */
export function optString(v: unknown, what: string): string | undefined {
  return v === undefined || v === null ? undefined : string(v, what);
}

export function optCount(v: unknown, what: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : bad(what, 'a whole number ≥ 0', v);
}

export function boolean(v: unknown, what: string): boolean {
  return typeof v === 'boolean' ? v : bad(what, 'true or false', v);
}

/** A non-empty array of finite numbers, as a Float32Array. */
export function vector(v: unknown, what: string): Float32Array {
  const items = array(v, what);
  if (items.length === 0) throw new WireError('bad_response', `${what} is empty`);
  const out = new Float32Array(items.length);
  for (let i = 0; i < items.length; i++) {
    const x = items[i];
    if (typeof x !== 'number' || !Number.isFinite(x)) bad(`${what}[${i}]`, 'a finite number', x);
    out[i] = x as number;
  }
  return out;
}

/** Checks a batch of vectors: one per input, all of one dimension. */
export function checkVectors(vectors: Float32Array[], expected: number, what: string): Float32Array[] {
  if (vectors.length !== expected) {
    throw new WireError('bad_response', `${what} holds ${vectors.length} vectors for ${expected} inputs`);
  }
  const dims = vectors[0]?.length;
  if (vectors.some((v) => v.length !== dims)) {
    throw new WireError('bad_response', `${what} mixes vectors of different dimensions`);
  }
  return vectors;
}

/** The error message inside an error body: {"error":"…"}, {"error":{"message":"…"}} or {"message":"…"}. */
export function errorMessageOf(v: unknown): string | undefined {
  if (!isRecord(v)) return undefined;
  const e = v['error'];
  if (typeof e === 'string') return e;
  if (isRecord(e) && typeof e['message'] === 'string') return e['message'];
  return typeof v['message'] === 'string' ? v['message'] : undefined;
}
