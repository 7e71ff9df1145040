/**
 * Thresholds: `<case glob>:<stat><op><value><unit>`, e.g. `memory.recall@10k:p(95)<2ms`, `state.*:p(99)<=1ms`,
 * `chat.turn*:rate>200/s`, `http.*:errors<1`, `http.closed*:ratio>=0.6`. Stats: p(N) (0 < N ≤ 100), avg, min, max,
 * rate, errors, ratio (to the node:http reference; cases without one are not matched), recall (a search's recall@10
 * against exact search, e.g. `memory.recall@100k:recall>=0.95`; cases without one are not matched), recall@K (the
 * evidence recall@K of `bench recall`, e.g. `recall.temporal:recall@10>=0.5`; alone, `recall@10>=0.6` judges all
 * questions, the case `recall.all`), or a figure in MB or ms that a case reports under a name ending in Mb or Ms
 * (`scale.recall@1m:serveRssMb<=1024`, `scale.recall@1m:searchFromNewProcessMs<=500`; a plain number, in the unit its
 * name says; cases without it are not matched). Latency
 * values need a unit (ns, us, µs, ms, s); rates may end in /s. Latency is judged on all runs' samples merged, the
 * rate on the median run, errors on the total.
 */
import { usageError } from '../core/errors.js';
import { globMatcher } from './parse.js';
import type { CaseResult } from './types.js';

export type Stat =
  | { kind: 'p'; p: number }
  | { kind: 'recallAt'; k: number }
  | { kind: 'figure'; name: string }
  | { kind: 'avg' | 'min' | 'max' | 'rate' | 'errors' | 'ratio' | 'recall' };
export type Op = '<' | '<=' | '>' | '>=';

export interface Threshold {
  expr: string;
  selector: string;
  stat: Stat;
  op: Op;
  /** Milliseconds for latency stats, per second for rate, a count for errors. */
  value: number;
}

export interface ThresholdResult {
  expr: string;
  /** pass, breach, or unmatched (no measured case matches the selector). */
  status: 'pass' | 'breach' | 'unmatched';
  checks: { name: string; actual: number; pass: boolean }[];
}

const EXPR =
  /^(.+):\s*(p\(\s*(\d+(?:\.\d+)?)\s*\)|recall@(\d+)|avg|mean|min|max|rate|errors|ratio|recall|[a-z][A-Za-z0-9]*(?:Mb|Ms))\s*(<=|>=|<|>)\s*(\d+(?:\.\d+)?(?:e[+-]?\d+)?)\s*(ns|us|µs|ms|s|\/s)?$/i;
/** The `bench recall` case holding every question: what a bare `recall@10>=0.6` judges. */
export const ALL_QUESTIONS = 'recall.all';
const TO_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1e3 };

export function parseThreshold(expr: string): Threshold {
  const bad = (why: string) =>
    usageError(
      `threshold "${expr}": ${why}`,
      "write it like 'memory.recall@10k:p(95)<2ms' or 'state.read:rate>100000/s'",
    );
  const text = expr.trim();
  const m = EXPR.exec(/^recall@/i.test(text) ? `${ALL_QUESTIONS}:${text}` : text);
  if (!m) throw bad('expected <case>:<stat><op><value><unit>');
  const [, selector, statText, pText, kText, op, valueText, unitRaw] = m;
  const stat: Stat =
    pText !== undefined
      ? { kind: 'p', p: Number(pText) }
      : kText !== undefined
        ? { kind: 'recallAt', k: Number(kText) }
        : /(mb|ms)$/i.test(statText!)
          ? { kind: 'figure', name: statText! }
          : { kind: statText!.toLowerCase() === 'mean' ? 'avg' : (statText!.toLowerCase() as 'avg') };
  if (stat.kind === 'recallAt' && !(stat.k >= 1 && stat.k <= 100)) throw bad('recall@K needs 1 ≤ K ≤ 100');
  if (stat.kind === 'p' && (stat.p <= 0 || stat.p > 100)) throw bad('the percentile must be in (0, 100]');
  const unit = unitRaw?.toLowerCase();
  let value = Number(valueText);
  if (stat.kind === 'recallAt') {
    if (unit) throw bad('recall@K is a plain number from 0 to 1');
  } else if (stat.kind === 'figure') {
    if (unit) throw bad(`${stat.name} is a plain number, in the unit its name ends with`);
  } else if (stat.kind === 'rate' || stat.kind === 'errors' || stat.kind === 'ratio' || stat.kind === 'recall') {
    if (unit && unit !== '/s')
      throw bad(`${stat.kind} takes a plain number${stat.kind === 'rate' ? ' or /s' : ''}, not ${unit}`);
    if (stat.kind !== 'rate' && unit) throw bad(`${stat.kind} is a plain number`);
  } else {
    if (!unit || unit === '/s') throw bad('a latency needs a unit: ns, us, ms or s');
    value *= TO_MS[unit]!;
  }
  return { expr: text, selector: selector!.trim(), stat, op: op as Op, value };
}

export function statValue(r: CaseResult, stat: Stat): number {
  switch (stat.kind) {
    case 'p':
      return stat.p === 50
        ? r.latency.p50
        : stat.p === 95
          ? r.latency.p95
          : stat.p === 99
            ? r.latency.p99
            : stat.p === 100
              ? r.latency.max
              : NaN;
    case 'avg':
      return r.latency.mean;
    case 'min':
      return r.latency.min;
    case 'max':
      return r.latency.max;
    case 'rate':
      return r.rate;
    case 'errors':
      return r.errors;
    case 'ratio':
      return typeof r.extra?.ratio === 'number' ? r.extra.ratio : NaN;
    case 'recall':
      return typeof r.extra?.recallAt10 === 'number' ? r.extra.recallAt10 : NaN;
    case 'recallAt': {
      const v = r.extra?.[`recall@${stat.k}`];
      return typeof v === 'number' ? v : NaN;
    }
    case 'figure': {
      const v = r.extra?.[stat.name];
      return typeof v === 'number' ? v : NaN;
    }
  }
}

const compare = (a: number, op: Op, b: number): boolean =>
  op === '<' ? a < b : op === '<=' ? a <= b : op === '>' ? a > b : a >= b;

/** `percentileOf` computes other percentiles (p(90), p(99.9)…) from the merged histogram of a case. */
export function evaluateThresholds(
  thresholds: Threshold[],
  results: CaseResult[],
  percentileOf: (name: string, p: number) => number,
): ThresholdResult[] {
  return thresholds.map((t) => {
    const match = globMatcher(t.selector);
    const checks = results
      .filter(
        (r) =>
          match(r.name) &&
          (!['ratio', 'recall', 'recallAt', 'figure'].includes(t.stat.kind) || !Number.isNaN(statValue(r, t.stat))),
      )
      .map((r) => {
        let actual = statValue(r, t.stat);
        if (Number.isNaN(actual) && t.stat.kind === 'p') actual = percentileOf(r.name, t.stat.p);
        return { name: r.name, actual, pass: compare(actual, t.op, t.value) };
      });
    const status = !checks.length ? 'unmatched' : checks.every((c) => c.pass) ? 'pass' : 'breach';
    return { expr: t.expr, status, checks };
  });
}
