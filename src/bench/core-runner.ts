/**
 * `bench core`: runs each suite in a fresh child process per run (so one run's heap, caches and JIT state never leak
 * into the next), collects the per-case histograms over IPC, and aggregates them. Each child has a hard time bound.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { aggregate } from './aggregate.js';
import type { Histogram } from './histogram.js';
import type { MeasureBounds } from './measure.js';
import type { CaseResult, RawRun } from './types.js';
import type { WorkerJob, WorkerMessage } from './worker.js';

export interface CoreOptions {
  suites: string[];
  runs: number;
  seed: number;
  memories?: number;
  filter?: string;
  bounds: MeasureBounds;
  /** Time allowed for a suite's setup (building its dataset) on top of the measured time. */
  setupTimeoutMs: number;
  onProgress?: (suite: string, run: number) => void;
  /** Receives each case's merged histogram (for percentiles beyond the summary). */
  histograms?: Map<string, Histogram>;
  signal?: AbortSignal;
}

export interface CoreOutcome {
  results: CaseResult[];
  /** Suites that could not run at all, with why (missing module, setup failure, crash). */
  skipped: { suite: string; reason: string }[];
  /** Per-run failures after a suite had started measuring: these make the measurement invalid. */
  failures: string[];
}

const WORKER = fileURLToPath(new URL('./worker.js', import.meta.url));

function runChild(
  job: WorkerJob,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<{ raw: RawRun[]; failed?: { stage: string; message: string } }> {
  return new Promise((resolve) => {
    const raw: RawRun[] = [];
    let failed: { stage: string; message: string } | undefined;
    let stderr = '';
    const child = fork(WORKER, [], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], ...(signal ? { signal } : {}) });
    child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
    const timer = setTimeout(() => {
      failed ??= {
        stage: 'measure',
        message: `the run did not finish within ${Math.round(timeoutMs / 1000)} s and was killed`,
      };
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('message', (m: WorkerMessage) => {
      if (m.type === 'case') raw.push(m.raw);
      else if (m.type === 'failed') failed = { stage: m.stage, message: m.message };
      else if (m.type === 'done') setTimeout(() => child.kill('SIGKILL'), 2000).unref();
    });
    child.on('error', (err) => (failed ??= { stage: 'measure', message: err.message }));
    child.on('exit', (code, sig) => {
      clearTimeout(timer);
      if (!failed && code !== 0 && sig !== 'SIGKILL') {
        failed = {
          stage: 'measure',
          message: `the run exited with ${code ?? sig}${stderr ? `: ${stderr.trim().split('\n').at(-1)}` : ''}`,
        };
      }
      resolve({ raw, ...(failed ? { failed } : {}) });
    });
    child.send(job);
  });
}

export async function runCore(o: CoreOptions): Promise<CoreOutcome> {
  const raw: RawRun[] = [];
  const skipped: CoreOutcome['skipped'] = [];
  const failures: string[] = [];
  for (const suite of o.suites) {
    for (let run = 1; run <= o.runs; run++) {
      if (o.signal?.aborted) break;
      o.onProgress?.(suite, run);
      const job: WorkerJob = {
        suite,
        seed: o.seed,
        bounds: o.bounds,
        ...(o.memories ? { memories: o.memories } : {}),
        ...(o.filter ? { filter: o.filter } : {}),
      };
      // Bound: setup + (warm-up + duration) for up to 64 cases + slack; the worker ends far sooner in practice.
      const timeoutMs = o.setupTimeoutMs + 64 * (o.bounds.warmupMs + o.bounds.durationMs) + 10_000;
      const r = await runChild(job, timeoutMs, o.signal);
      raw.push(...r.raw);
      if (r.failed && (r.failed.stage === 'load' || r.failed.stage === 'setup') && !r.raw.length) {
        skipped.push({ suite, reason: `${r.failed.stage}: ${r.failed.message}` });
        break; // the same seed fails the same way on every run
      }
      if (r.failed) failures.push(`${suite} run ${run}: ${r.failed.message}`);
    }
  }
  return { results: aggregate(raw, o.histograms), skipped, failures };
}
