/**
 * Hybrid logical clock (docs/sync.md): 48-bit milliseconds, 16-bit counter and the device id, encoded as a fixed-width
 * string so byte order is clock order. Monotonic across wall-clock jumps backwards.
 */

export interface Hlc {
  ms: number;
  counter: number;
  device: string;
}

export const MAX_COUNTER = 0xffff;
/** Remote clocks further ahead than this are quarantined, not applied (docs/sync.md). */
export const MAX_DRIFT_MS = 5 * 60_000;

export function encodeHlc(h: Hlc): string {
  return `${h.ms.toString(16).padStart(12, '0')}${h.counter.toString(16).padStart(4, '0')}-${h.device}`;
}

export function decodeHlc(s: string): Hlc {
  const m = /^([0-9a-f]{12})([0-9a-f]{4})-([A-Za-z0-9_-]{1,64})$/.exec(s);
  if (!m) throw new Error(`malformed HLC ${JSON.stringify(s).slice(0, 80)}`);
  return { ms: parseInt(m[1] as string, 16), counter: parseInt(m[2] as string, 16), device: m[3] as string };
}

export function compareHlc(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The next local timestamp after `last` (if any) at wall time `now`. */
export function tickHlc(last: Hlc | undefined, now: number, device: string): Hlc {
  if (!last || now > last.ms) return { ms: now, counter: 0, device };
  if (last.counter < MAX_COUNTER) return { ms: last.ms, counter: last.counter + 1, device };
  return { ms: last.ms + 1, counter: 0, device };
}

/** Merges a remote timestamp into the local clock (receive event). Caller checks drift first. */
export function receiveHlc(last: Hlc | undefined, remote: Hlc, now: number, device: string): Hlc {
  const ms = Math.max(now, last?.ms ?? 0, remote.ms);
  let counter = 0;
  if (ms === last?.ms && ms === remote.ms) counter = Math.max(last.counter, remote.counter) + 1;
  else if (ms === last?.ms) counter = last.counter + 1;
  else if (ms === remote.ms) counter = remote.counter + 1;
  if (counter > MAX_COUNTER) return { ms: ms + 1, counter: 0, device };
  return { ms, counter, device };
}
