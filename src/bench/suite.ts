/**
 * The contract between in-process benchmark suites and the runner behind `progeny bench core`. Suites build their
 * dataset deterministically from the seed and hand back cases; the runner owns timing (process.hrtime.bigint per
 * call), warm-up, duration and count bounds, histograms and resource sampling, so every suite is measured the same way.
 */
export interface SuiteContext {
  /** A fresh temporary directory the suite may use (e.g. as PROGENY_HOME); removed after the run. */
  dir: string;
  /** Deterministic seed; suites derive all random data from it. */
  seed: number;
  /** Dataset size knob (`--memories N`); suites pick their default when undefined. */
  memories?: number;
}

export interface BenchCase {
  /** Dotted name used by --filter and thresholds, e.g. "memory.recall@100k". */
  name: string;
  /** One measured call; the runner times each call. */
  op(): unknown;
  /**
   * Work the case needs that must not happen before the cases ahead of it have run (e.g. a snapshot that compacts the
   * log an earlier case reads). Runs once, untimed, right before the case's warm-up.
   */
  prepare?(): Promise<void>;
  /** Logical operations one call performs (e.g. a batch of 100 inserts), for ops/s. Default 1. */
  opsPerCall?: number;
  /**
   * Figures measured once after the timed calls, outside the timing (e.g. `recallAt10`, a search's recall@10 against
   * exact search), reported under the case's `extra` (a string says why a figure could not be measured).
   */
  quality?(): Promise<Record<string, number | string>>;
}

export interface PreparedSuite {
  cases: BenchCase[];
  /** Releases everything setup opened (stores, servers, timers). */
  close(): Promise<void>;
}

export interface BenchSuite {
  /** Suite name for `--suite`: memory, state, sync, chat… */
  name: string;
  setup(ctx: SuiteContext): Promise<PreparedSuite>;
}
