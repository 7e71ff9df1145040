/**
 * Times one case: a warm-up, then per-call nanosecond timings (process.hrtime.bigint around each call, awaiting it
 * when it returns a promise) into a histogram, until the duration or the call bound is reached, whichever is first.
 * The loop yields to the event loop every few milliseconds (outside the timed region) so GC observers, timers and
 * the event-loop-delay monitor keep running during long synchronous loops.
 */
import { Histogram } from './histogram.js';
import type { BenchCase } from './suite.js';

export interface MeasureBounds {
  warmupMs: number;
  durationMs: number;
  /** Upper bound on measured calls (and on warm-up calls). */
  maxCalls: number;
}

export interface Measured {
  histogram: Histogram;
  calls: number;
  errors: number;
  firstError?: string;
  /** Wall time of the measured phase, ns (includes the yields, so rates are honest). */
  elapsedNs: number;
}

const YIELD_EVERY_NS = 5_000_000n;
const yieldNow = (): Promise<void> => new Promise((r) => setImmediate(r));
const isThenable = (x: unknown): x is PromiseLike<unknown> =>
  x !== null &&
  (typeof x === 'object' || typeof x === 'function') &&
  typeof (x as { then?: unknown }).then === 'function';

async function loop(c: BenchCase, ms: number, maxCalls: number, h: Histogram | null): Promise<Measured> {
  const histogram = h ?? new Histogram();
  const start = process.hrtime.bigint();
  const end = start + BigInt(Math.round(ms * 1e6));
  let lastYield = start;
  let calls = 0;
  let errors = 0;
  let firstError: string | undefined;
  let now = start;
  while (calls < maxCalls && now < end) {
    const t0 = process.hrtime.bigint();
    try {
      const r = c.op();
      if (isThenable(r)) await r;
    } catch (err) {
      errors += 1;
      firstError ??= err instanceof Error ? err.message : String(err);
      if (errors >= 1000 && errors === calls + 1) break; // every call fails: stop early, it is reported invalid
    }
    now = process.hrtime.bigint();
    histogram.record(Number(now - t0));
    calls += 1;
    if (now - lastYield > YIELD_EVERY_NS) {
      await yieldNow();
      now = process.hrtime.bigint();
      lastYield = now;
    }
  }
  return {
    histogram,
    calls,
    errors,
    ...(firstError ? { firstError } : {}),
    elapsedNs: Number(process.hrtime.bigint() - start),
  };
}

export async function measureCase(c: BenchCase, b: MeasureBounds): Promise<Measured> {
  if (b.warmupMs > 0) await loop(c, b.warmupMs, b.maxCalls, null);
  return loop(c, b.durationMs, b.maxCalls, null);
}

/** The cost of an empty timed call on this machine (hrtime + loop), to read small figures against. */
export async function timerOverheadNs(): Promise<number> {
  const m = await loop({ name: 'noop', op: () => undefined }, 50, 200_000, null);
  return m.histogram.percentile(50);
}
