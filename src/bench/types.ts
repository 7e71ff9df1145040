/** The shapes of measured results, shared by the runners, thresholds, baselines and the `progeny.bench/1` report. */
import type { EncodedHistogram } from './histogram.js';

/** Latency statistics in milliseconds (floats). */
export interface LatencySummary {
  count: number;
  min: number;
  mean: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export interface Resources {
  rssMb: number;
  rssPeakMb: number;
  heapUsedMb: number;
  gcCount: number;
  gcPauseMs: number;
  eventLoopDelayP99Ms: number;
  eventLoopDelayMaxMs: number;
  cpuUserMs: number;
  cpuSystemMs: number;
  /** CPU time over wall time, in % of one core. */
  cpuPercent: number;
}

/** One run (one child process, one load-generator pass) of one case. */
export interface RunValues {
  run: number;
  latency: LatencySummary;
  /** Logical operations (or requests) per second. */
  rate: number;
  calls: number;
  errors: number;
  elapsedMs: number;
  resources?: Resources;
}

export interface CaseResult {
  /** Dotted name, e.g. "state.read" or "http.closed GET /v1/state". */
  name: string;
  group: string;
  runs: RunValues[];
  /** All runs' samples merged. */
  latency: LatencySummary;
  /** Median of the per-run rates. */
  rate: number;
  errors: number;
  /** Spread of per-run P50s and rates: min, max and coefficient of variation. */
  spread: { p50: Spread; rate: Spread };
  /** Why this case's measurement cannot be trusted (empty when valid). */
  invalid: string[];
  /** Extra figures (target rate, ratio to the reference server, recall…). */
  extra?: Record<string, number | string | boolean>;
}

export interface Spread {
  min: number;
  max: number;
  cv: number;
}

/** What a runner hands back for one case and run before aggregation. */
export interface RawRun {
  name: string;
  group: string;
  histogram: EncodedHistogram;
  calls: number;
  ops: number;
  errors: number;
  firstError?: string;
  elapsedNs: number;
  resources?: Resources;
  invalid?: string[];
  extra?: Record<string, number | string | boolean>;
}
