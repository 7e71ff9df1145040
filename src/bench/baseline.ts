/**
 * Baselines: a saved `progeny.bench/1` report, compared case by case on per-run values (each run's P50 and rate), so
 * one lucky or unlucky run cannot decide. A case regresses when the median of its current runs is worse than the
 * baseline median by more than the tolerance AND even its best current run is worse than the baseline median;
 * improvements are judged the same way in the other direction. Anything else is "same" (within noise).
 */
import { readFileSync } from 'node:fs';
import { usageError } from '../core/errors.js';
import { median } from './aggregate.js';
import type { BenchReport } from './report.js';
import type { CaseResult } from './types.js';

export type Verdict = 'regressed' | 'improved' | 'same';

export interface MetricComparison {
  metric: 'p50' | 'rate';
  baseline: number;
  current: number;
  /** current / baseline − 1 (for rate, a drop is negative). */
  change: number;
  verdict: Verdict;
}

export interface CaseComparison {
  name: string;
  status: Verdict | 'new' | 'missing';
  metrics: MetricComparison[];
}

export interface BaselineComparison {
  file: string;
  tolerance: number;
  cases: CaseComparison[];
  regressed: string[];
}

/** Lower is better when `higherIsBetter` is false (latency), higher when true (rate). */
export function judge(baseline: number[], current: number[], tolerance: number, higherIsBetter: boolean): Verdict {
  if (!baseline.length || !current.length) return 'same';
  const sign = higherIsBetter ? -1 : 1; // compare as "cost": larger is worse
  const b = sign * median(baseline);
  const c = current.map((x) => sign * x);
  const limit = Math.abs(b) * tolerance;
  if (median(c) > b + limit && Math.min(...c) > b) return 'regressed';
  if (median(c) < b - limit && Math.max(...c) < b) return 'improved';
  return 'same';
}

function compareCase(b: CaseResult, c: CaseResult, tolerance: number): CaseComparison {
  const metric = (m: 'p50' | 'rate'): MetricComparison => {
    const pick = (r: CaseResult) => r.runs.map((x) => (m === 'p50' ? x.latency.p50 : x.rate));
    const bv = median(pick(b));
    const cv = median(pick(c));
    return {
      metric: m,
      baseline: bv,
      current: cv,
      change: bv ? Math.round((cv / bv - 1) * 1e4) / 1e4 : 0,
      verdict: judge(pick(b), pick(c), tolerance, m === 'rate'),
    };
  };
  const metrics = [metric('p50'), metric('rate')];
  const status = metrics.some((m) => m.verdict === 'regressed')
    ? 'regressed'
    : metrics.some((m) => m.verdict === 'improved')
      ? 'improved'
      : 'same';
  return { name: c.name, status, metrics };
}

export function compareToBaseline(
  baseline: BenchReport,
  results: CaseResult[],
  tolerance: number,
  file: string,
): BaselineComparison {
  const before = new Map(baseline.results.map((r) => [r.name, r]));
  const now = new Set(results.map((r) => r.name));
  const cases: CaseComparison[] = results.map((c) => {
    const b = before.get(c.name);
    return b ? compareCase(b, c, tolerance) : { name: c.name, status: 'new', metrics: [] };
  });
  for (const b of baseline.results) if (!now.has(b.name)) cases.push({ name: b.name, status: 'missing', metrics: [] });
  return { file, tolerance, cases, regressed: cases.filter((c) => c.status === 'regressed').map((c) => c.name) };
}

export function readBaseline(file: string): BenchReport {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw usageError(
      `cannot read the baseline ${file}: ${(err as Error).message}`,
      'save one first with --save-baseline FILE',
    );
  }
  const r = parsed as Partial<BenchReport>;
  if (r.schema !== 'progeny.bench/1' || !Array.isArray(r.results)) {
    throw usageError(
      `${file} is not a progeny.bench/1 report`,
      'save one with --save-baseline FILE (or --json --out FILE)',
    );
  }
  return r as BenchReport;
}
