/** Turns raw per-run measurements into per-case results: merged latency, per-run values and their spread. */
import { Histogram } from './histogram.js';
import type { CaseResult, LatencySummary, RawRun, RunValues, Spread } from './types.js';

const ms = (ns: number): number => Math.round(ns) / 1e6; // ms floats, ns precision

export function summarize(h: Histogram): LatencySummary {
  return {
    count: h.count,
    min: ms(h.count ? h.min : 0),
    mean: ms(h.mean()),
    p50: ms(h.percentile(50)),
    p95: ms(h.percentile(95)),
    p99: ms(h.percentile(99)),
    max: ms(h.max),
  };
}

export function median(xs: number[]): number {
  if (!xs.length) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function spread(xs: number[]): Spread {
  if (!xs.length) return { min: 0, max: 0, cv: 0 };
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length);
  return { min: Math.min(...xs), max: Math.max(...xs), cv: mean ? Math.round((sd / mean) * 1e4) / 1e4 : 0 };
}

/** Groups raw runs by case name (keeping first-seen order) into results; `merged` receives each case's histogram. */
export function aggregate(raw: RawRun[], merged?: Map<string, Histogram>): CaseResult[] {
  const byName = new Map<string, RawRun[]>();
  for (const r of raw) byName.set(r.name, [...(byName.get(r.name) ?? []), r]);
  return [...byName.values()].map((runs) => {
    const all = new Histogram();
    const values: RunValues[] = runs.map((r, i) => {
      const h = Histogram.decode(r.histogram);
      all.merge(h);
      const elapsedMs = r.elapsedNs / 1e6;
      return {
        run: i + 1,
        latency: summarize(h),
        rate: elapsedMs > 0 ? Math.round((r.ops / elapsedMs) * 1e4) / 10 : 0,
        calls: r.calls,
        errors: r.errors,
        elapsedMs: Math.round(elapsedMs * 1e3) / 1e3,
        ...(r.resources ? { resources: r.resources } : {}),
      };
    });
    const first = runs[0]!;
    merged?.set(first.name, all);
    const invalid = [...new Set(runs.flatMap((r) => r.invalid ?? []))];
    const errors = values.reduce((a, v) => a + v.errors, 0);
    const firstError = runs.find((r) => r.firstError)?.firstError;
    // Over 1% failed calls: the latencies describe failures, not the operation (a core op should never fail).
    const calls = values.reduce((a, v) => a + v.calls, 0);
    if (errors > calls * 0.01 && firstError) invalid.push(`${errors} of ${calls} calls failed: ${firstError}`);
    return {
      name: first.name,
      group: first.group,
      runs: values,
      latency: summarize(all),
      rate: median(values.map((v) => v.rate)),
      errors,
      spread: { p50: spread(values.map((v) => v.latency.p50)), rate: spread(values.map((v) => v.rate)) },
      invalid,
      ...(first.extra ? { extra: mergeExtras(runs.map((r) => r.extra ?? {})) } : {}),
    };
  });
}

/** Numbers measured per run (a recall, a generator's CPU) as their median over the runs; anything else from the first run. */
function mergeExtras(perRun: Record<string, number | string | boolean>[]): Record<string, number | string | boolean> {
  const out = { ...perRun[0] };
  for (const [key, value] of Object.entries(out)) {
    if (typeof value !== 'number') continue;
    const xs = perRun.map((e) => e[key]).filter((x): x is number => typeof x === 'number');
    out[key] = median(xs);
  }
  return out;
}
