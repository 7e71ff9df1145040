/**
 * What both raw-socket generators (closed-raw.ts, open.ts) count and report the same way: answers, failures (a non-2xx
 * status or a broken response) with the first failure's reason, the requests still unanswered once the run ends, and
 * the run as a RawRun.
 */
import { performance } from 'node:perf_hooks';
import type { Histogram } from '../histogram.js';
import type { RawRun } from '../types.js';

/** How long a run waits for its last answers before counting them lost. */
export const DRAIN_MS = 5_000;

export class RawOutcome {
  ok = 0;
  failed = 0;
  firstError: string | undefined;

  /** Counts one ended request; true when it was a success (the caller then records its latency). */
  count(status: number, error?: string): boolean {
    if (status >= 200 && status < 300) {
      this.ok += 1;
      return true;
    }
    this.failed += 1;
    this.firstError ??= error ?? `HTTP ${status}`;
    return false;
  }

  /** Waits up to DRAIN_MS for `outstanding()` to reach 0, polling every `stepMs`; returns how many never answered. */
  static async drain(outstanding: () => number, stepMs: number): Promise<number> {
    const until = performance.now() + DRAIN_MS;
    while (outstanding() > 0 && performance.now() < until) await new Promise((r) => setTimeout(r, stepMs));
    return outstanding();
  }

  run(o: {
    name: string;
    group: string;
    histogram: Histogram;
    lost: number;
    elapsedMs: number;
    invalid: string[];
    extra: RawRun['extra'];
  }): RawRun {
    if (o.lost) o.invalid.push(`${o.lost} requests got no answer within ${DRAIN_MS / 1000} s`);
    return {
      name: o.name,
      group: o.group,
      histogram: o.histogram.encode(),
      calls: this.ok + this.failed + o.lost,
      ops: this.ok,
      errors: this.failed + o.lost,
      ...(this.firstError ? { firstError: this.firstError } : {}),
      elapsedNs: Math.round(o.elapsedMs * 1e6),
      invalid: o.invalid,
      ...(o.extra ? { extra: o.extra } : {}),
    };
  }
}
