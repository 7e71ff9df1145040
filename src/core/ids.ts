/**
 * ULIDs: 48-bit millisecond time + 80 random bits in Crockford base32, so ids sort by creation time. Each engine has
 * its own factory (createUlidFactory), monotonic within a millisecond: a second id for the same millisecond as the
 * latest increments the random part instead of re-drawing it. An id asked for an earlier time (an import, a synced
 * or back-dated record) carries that time, with fresh randomness.
 */
import { randomBytes } from './lazy-builtins.js';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

function encodeTime(ms: number): string {
  let out = '';
  let t = ms;
  for (let i = 0; i < 10; i++) {
    out = ALPHABET[t % 32] + out;
    t = Math.floor(t / 32);
  }
  return out;
}

function encodeRandom(bytes: Uint8Array): string {
  // 80 bits → 16 base32 characters, most significant first.
  let out = '';
  let acc = 0;
  let bits = 0;
  for (const b of bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += ALPHABET[(acc >> bits) & 31];
    }
    acc &= (1 << bits) - 1;
  }
  return out;
}

function increment(bytes: Uint8Array): Uint8Array {
  const next = new Uint8Array(bytes);
  for (let i = next.length - 1; i >= 0; i--) {
    if (next[i] !== 255) {
      next[i] = (next[i] as number) + 1;
      return next;
    }
    next[i] = 0;
  }
  return next;
}

/** A ULID from a given time and 10 given bytes (deterministic ids, e.g. an import line's content id). */
export function encodeUlid(timeMs: number, bytes: Uint8Array): string {
  return encodeTime(Math.max(0, Math.floor(timeMs))) + encodeRandom(bytes.subarray(0, 10));
}

/** Makes an id for a time in milliseconds. */
export type UlidFactory = (at: number) => string;

export function createUlidFactory(random: (n: number) => Uint8Array = randomBytes): UlidFactory {
  let lastTime = -1;
  let lastRandom: Uint8Array = new Uint8Array(10);
  return (at) => {
    const t = Math.max(0, Math.floor(at));
    if (t < lastTime) return encodeTime(t) + encodeRandom(random(10));
    if (t === lastTime) lastRandom = increment(lastRandom);
    else {
      lastTime = t;
      lastRandom = new Uint8Array(random(10));
    }
    return encodeTime(lastTime) + encodeRandom(lastRandom);
  };
}

/** A factory for code outside an engine (tools, tests, the sync simulator); an engine uses its own. */
export const ulid: UlidFactory = createUlidFactory();

export const ULID_RE = /^[0-9A-HJKMNP-TV-Z]{26}$/;

export function isUlid(s: string): boolean {
  return ULID_RE.test(s);
}

/** The millisecond time an id carries. */
export function ulidTime(id: string): number {
  let t = 0;
  for (const c of id.slice(0, 10)) t = t * 32 + ALPHABET.indexOf(c);
  return t;
}
