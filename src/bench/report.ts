/**
 * The `progeny.bench/1` report: environment fingerprint, configuration, per-case results with per-run values, the
 * threshold and baseline judgements, and one verdict whose exit code CI gates on. Durations are ms floats.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { arch, cpus, loadavg, platform, release, totalmem } from 'node:os';
import { ExitCode } from '../core/errors.js';
import type { BaselineComparison } from './baseline.js';
import type { GrowthSeries } from './growth.js';
import type { ThresholdResult } from './thresholds.js';
import type { CaseResult } from './types.js';

export const SCHEMA = 'progeny.bench/1';

export interface EnvFingerprint {
  progeny: string;
  commit: string | null;
  node: string;
  v8: string;
  platform: string;
  release: string;
  arch: string;
  cpuModel: string;
  cpus: number;
  memoryMb: number;
  loadavg: number[];
  /** The cost of one empty timed call (ns): figures near it are dominated by the timer. */
  timerOverheadNs?: number;
}

export type VerdictStatus = 'pass' | 'threshold-breach' | 'regression' | 'invalid';

export interface BenchVerdict {
  status: VerdictStatus;
  exitCode: number;
  reasons: string[];
}

export interface BenchReport {
  schema: typeof SCHEMA;
  kind: 'core' | 'http' | 'ws' | 'recall';
  createdAt: string;
  env: EnvFingerprint;
  config: Record<string, unknown>;
  results: CaseResult[];
  skipped: { suite: string; reason: string }[];
  invalid: string[];
  thresholds: ThresholdResult[];
  baseline: BaselineComparison | null;
  verdict: BenchVerdict;
  /** With several dataset sizes (`bench core --memories 10k,100k,1m`): each figure's growth across them. */
  growth?: GrowthSeries[];
}

function gitCommit(): string | null {
  try {
    const dir = new URL('../..', import.meta.url);
    return (
      execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
        cwd: dir,
        stdio: ['ignore', 'pipe', 'ignore'],
        timeout: 2000,
      })
        .toString()
        .trim() || null
    );
  } catch {
    return null;
  }
}

export function envFingerprint(timerOverheadNs?: number): EnvFingerprint {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return {
    progeny: pkg.version,
    commit: gitCommit(),
    node: process.version,
    v8: process.versions.v8,
    platform: platform(),
    release: release(),
    arch: arch(),
    cpuModel: cpus()[0]?.model ?? 'unknown',
    cpus: cpus().length,
    memoryMb: Math.round(totalmem() / 1048576),
    loadavg: loadavg().map((x) => Math.round(x * 100) / 100),
    ...(timerOverheadNs !== undefined ? { timerOverheadNs } : {}),
  };
}

/** Invalid measurement outranks a breach (the numbers cannot be trusted), which outranks a regression. */
export function decideVerdict(
  invalid: string[],
  thresholds: ThresholdResult[],
  baseline: BaselineComparison | null,
): BenchVerdict {
  if (invalid.length) return { status: 'invalid', exitCode: ExitCode.benchInvalid, reasons: invalid };
  const breaches = thresholds.filter((t) => t.status === 'breach');
  if (breaches.length) {
    const reasons = breaches.flatMap((t) =>
      t.checks.filter((c) => !c.pass).map((c) => `${t.expr}: ${c.name} measured ${c.actual}`),
    );
    return { status: 'threshold-breach', exitCode: ExitCode.benchThreshold, reasons };
  }
  if (baseline?.regressed.length) {
    return {
      status: 'regression',
      exitCode: ExitCode.benchRegression,
      reasons: baseline.regressed.map(
        (n) => `${n} regressed beyond ${Math.round(baseline.tolerance * 100)}% of ${baseline.file}`,
      ),
    };
  }
  return { status: 'pass', exitCode: ExitCode.ok, reasons: [] };
}
