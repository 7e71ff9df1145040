/**
 * Growth curves across dataset sizes (`bench core --memories 10k,100k,1m`): for every case measured at several sizes
 * (`name@10k`, `name@100k`, …) each figure (P50, P99, rate and the numeric extras) as a series over the size, with the
 * growth exponent between neighbouring sizes: value ∝ size^exponent, so 1 is linear, 0 flat, 0.5 square root.
 */
import type { CaseResult } from './types.js';

export interface GrowthSeries {
  /** The case name without its size, e.g. "scale.recall". */
  case: string;
  /** "p50", "p99", "rate" or an extra's key (e.g. "serveRssMb"). */
  metric: string;
  points: { memories: number; value: number }[];
  /** log(v2 / v1) / log(n2 / n1) between consecutive points (null where a value is not positive). */
  exponents: (number | null)[];
}

const LABEL = /^(.*)@(\d+(?:\.\d+)?)([km]?)$/i;

/** "scale.recall@100k" → { base: "scale.recall", size: 100000 }; null for a name without a size. */
export function sizedName(name: string): { base: string; size: number } | null {
  const m = LABEL.exec(name);
  if (!m) return null;
  const unit = m[3]?.toLowerCase();
  return { base: m[1] as string, size: Number(m[2]) * (unit === 'm' ? 1e6 : unit === 'k' ? 1e3 : 1) };
}

function exponent(a: { memories: number; value: number }, b: { memories: number; value: number }): number | null {
  if (!(a.value > 0 && b.value > 0) || a.memories === b.memories) return null;
  return Math.round((Math.log(b.value / a.value) / Math.log(b.memories / a.memories)) * 100) / 100;
}

export function growthOf(results: CaseResult[]): GrowthSeries[] {
  const byBase = new Map<string, { size: number; c: CaseResult }[]>();
  for (const c of results) {
    const s = sizedName(c.name);
    if (!s) continue;
    byBase.set(s.base, [...(byBase.get(s.base) ?? []), { size: s.size, c }]);
  }
  const out: GrowthSeries[] = [];
  for (const [base, sized] of byBase) {
    if (sized.length < 2) continue;
    sized.sort((a, b) => a.size - b.size);
    const figures = (c: CaseResult): Record<string, number> => {
      const extra = Object.entries(c.extra ?? {}).filter(
        (e): e is [string, number] => typeof e[1] === 'number' && e[0] !== 'memories',
      );
      return { p50: c.latency.p50, p99: c.latency.p99, rate: c.rate, ...Object.fromEntries(extra) };
    };
    const metrics = new Set(sized.flatMap(({ c }) => Object.keys(figures(c))));
    for (const metric of metrics) {
      const points = sized.flatMap(({ size, c }) => {
        const value = figures(c)[metric];
        return value === undefined || !Number.isFinite(value) ? [] : [{ memories: size, value }];
      });
      if (points.length < 2) continue;
      out.push({ case: base, metric, points, exponents: points.slice(1).map((p, i) => exponent(points[i]!, p)) });
    }
  }
  return out;
}
