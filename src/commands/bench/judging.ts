/**
 * What every bench command shares after measuring: thresholds (flags and a file, parsed before any measuring so a
 * typo fails fast), the baseline comparison, the report, its atomic writes (--out, --save-baseline) and the verdict.
 */
import { readFileSync } from 'node:fs';
import { usageError } from '../../core/errors.js';
import { compareToBaseline, readBaseline } from '../../bench/baseline.js';
import type { GrowthSeries } from '../../bench/growth.js';
import type { Histogram } from '../../bench/histogram.js';
import { parsePercent } from '../../bench/parse.js';
import { plotFile } from '../../bench/plot.js';
import { decideVerdict, envFingerprint, SCHEMA, type BenchReport } from '../../bench/report.js';
import { evaluateThresholds, parseThreshold, type Threshold } from '../../bench/thresholds.js';
import type { CaseResult } from '../../bench/types.js';
import type { CommandContext } from '../context.js';
import { checkOutputFile, writeOutputFile } from '../output-file.js';
import type { CommandResult } from '../output.js';
import { benchView } from './view.js';

const KINDS: BenchReport['kind'][] = ['core', 'http', 'ws', 'recall'];

export interface JudgingOptions {
  threshold?: string[];
  thresholdsFile?: string;
  baseline?: string;
  maxRegression?: string;
  saveBaseline?: string;
  out?: string;
  plot?: string;
}

export interface Judging {
  thresholds: Threshold[];
  baseline: { file: string; report: BenchReport; tolerance: number } | null;
  opts: JudgingOptions;
}

/** A JSON array, {"thresholds": [...]}, or per kind: {"core": [...], "http": [...], "ws": [...], "recall": [...]}. */
function thresholdsFromFile(file: string, kind: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw usageError(
      `cannot read the thresholds file ${file}: ${(err as Error).message}`,
      'a JSON array of expressions, or {"thresholds": [...]}',
    );
  }
  const obj = parsed as Record<string, unknown>;
  const list = Array.isArray(parsed)
    ? parsed
    : (obj.thresholds ?? (kind in obj ? obj[kind] : KINDS.some((k) => k in obj) ? [] : undefined));
  if (!Array.isArray(list) || !list.every((x) => typeof x === 'string')) {
    throw usageError(
      `${file} must hold a JSON array of threshold strings, {"thresholds": [...]}, or {"core": [...], "http": [...], "ws": [...], "recall": [...]}`,
    );
  }
  return list as string[];
}

export function prepareJudging(opts: JudgingOptions, kind: BenchReport['kind']): Judging {
  const exprs = [
    ...(opts.threshold ?? []),
    ...(opts.thresholdsFile ? thresholdsFromFile(opts.thresholdsFile, kind) : []),
  ];
  const thresholds = exprs.map(parseThreshold);
  if (opts.maxRegression && !opts.baseline) throw usageError('--max-regression needs --baseline FILE');
  if (opts.plot && !/\.(svg|html?)$/i.test(opts.plot))
    throw usageError(`--plot draws an .svg or an .html file, not "${opts.plot}"`, 'e.g. --plot bench.svg');
  // Before measuring: a bench can run for an hour, and its report must not be lost to a mistyped path at the end.
  if (opts.out) checkOutputFile(opts.out, '--out');
  if (opts.saveBaseline) checkOutputFile(opts.saveBaseline, '--save-baseline');
  if (opts.plot) checkOutputFile(opts.plot, '--plot');
  const baseline = opts.baseline
    ? {
        file: opts.baseline,
        report: readBaseline(opts.baseline),
        tolerance: parsePercent(opts.maxRegression ?? '10%', '--max-regression'),
      }
    : null;
  return { thresholds, baseline, opts };
}

export interface Measured {
  kind: BenchReport['kind'];
  config: Record<string, unknown>;
  results: CaseResult[];
  histograms: Map<string, Histogram>;
  skipped?: { suite: string; reason: string }[];
  invalid?: string[];
  timerOverheadNs?: number;
  growth?: GrowthSeries[];
}

export function finish(ctx: CommandContext, j: Judging, m: Measured): CommandResult<BenchReport> {
  const invalid = [...(m.invalid ?? []), ...m.results.flatMap((r) => r.invalid.map((why) => `${r.name}: ${why}`))];
  // Nothing measured must not pass a CI gate (a suite that no longer loads, a filter that matches nothing).
  if (!m.results.length)
    invalid.push(
      `no case was measured${m.skipped?.length ? ` (${m.skipped.map((s) => `${s.suite}: ${s.reason}`).join('; ')})` : ''}`,
    );
  const thresholds = evaluateThresholds(
    j.thresholds,
    m.results,
    (name, p) => m.histograms.get(name)?.percentile(p) ?? NaN,
  );
  thresholds.forEach((t) => t.checks.forEach((c) => (c.actual = Math.round(c.actual * 1e6) / 1e6)));
  // A --threshold that matches nothing is probably a typo; a file's thresholds may cover suites not run this time.
  const flagged = new Set(j.opts.threshold?.map((e) => e.trim()));
  for (const t of thresholds)
    if (t.status === 'unmatched' && flagged.has(t.expr))
      ctx.out.warn(`threshold "${t.expr}" matches no measured case`, 'check the case names in the table');
  const baseline = j.baseline
    ? compareToBaseline(j.baseline.report, m.results, j.baseline.tolerance, j.baseline.file)
    : null;
  if (baseline && j.baseline && j.baseline.report.kind !== m.kind)
    ctx.out.warn(`the baseline is a "${j.baseline.report.kind}" report, this is "${m.kind}"`);
  const report: BenchReport = {
    schema: SCHEMA,
    kind: m.kind,
    createdAt: new Date().toISOString(),
    env: envFingerprint(m.timerOverheadNs),
    config: m.config,
    results: m.results,
    skipped: m.skipped ?? [],
    invalid,
    thresholds,
    baseline,
    verdict: decideVerdict(invalid, thresholds, baseline),
    ...(m.growth?.length ? { growth: m.growth } : {}),
  };
  for (const s of report.skipped) ctx.out.warn(`suite ${s.suite} skipped: ${s.reason}`);
  const json = `${JSON.stringify(report, null, 2)}\n`;
  if (j.opts.out) writeOutputFile(j.opts.out, json, '--out');
  if (j.opts.saveBaseline) writeOutputFile(j.opts.saveBaseline, json, '--save-baseline');
  if (j.opts.plot && !report.results.length)
    ctx.out.warn(`--plot: nothing to draw (no case was measured); ${j.opts.plot} not written`);
  else if (j.opts.plot) writeOutputFile(j.opts.plot, plotFile(report, j.opts.plot), '--plot');
  return { data: report, view: benchView(report), exitCode: report.verdict.exitCode };
}
