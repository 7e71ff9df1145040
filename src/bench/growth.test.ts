import { describe, expect, it } from 'vitest';
import { growthOf, sizedName } from './growth.js';
import { plotFile, plotSvg } from './plot.js';
import type { BenchReport } from './report.js';
import type { CaseResult } from './types.js';

function result(name: string, p50: number, extra: Record<string, number | string> = {}): CaseResult {
  const latency = { count: 100, min: p50 / 2, mean: p50, p50, p95: p50 * 2, p99: p50 * 3, max: p50 * 4 };
  const spread = { min: p50, max: p50, cv: 0 };
  return {
    name,
    group: 'scale',
    runs: [{ run: 1, latency, rate: 1000 / p50, calls: 100, errors: 0, elapsedMs: 1000 }],
    latency,
    rate: 1000 / p50,
    errors: 0,
    spread: { p50: spread, rate: spread },
    invalid: [],
    extra,
  };
}

describe('growth across dataset sizes', () => {
  it('reads the size from a case name', () => {
    expect(sizedName('scale.recall@100k')).toEqual({ base: 'scale.recall', size: 100_000 });
    expect(sizedName('chat.turn@1m')).toEqual({ base: 'chat.turn', size: 1_000_000 });
    expect(sizedName('state.read@250')).toEqual({ base: 'state.read', size: 250 });
    expect(sizedName('state.read')).toBeNull();
  });

  it('gives each figure a series over the sizes with the exponent between neighbours', () => {
    const growth = growthOf([
      result('scale.recall@100k', 2, { dbMb: 100, memories: 100_000, note: 'text' }),
      result('scale.recall@10k', 1, { dbMb: 10, memories: 10_000 }),
      result('scale.recall@1m', 8, { dbMb: 1000, memories: 1_000_000 }),
      result('state.read', 0.01),
      result('chat.turn@10k', 3),
    ]);
    const p50 = growth.find((g) => g.case === 'scale.recall' && g.metric === 'p50');
    expect(p50?.points).toEqual([
      { memories: 10_000, value: 1 },
      { memories: 100_000, value: 2 },
      { memories: 1_000_000, value: 8 },
    ]);
    // 1 → 2 over ×10 is 10^0.30; 2 → 8 is 10^0.60.
    expect(p50?.exponents).toEqual([0.3, 0.6]);
    expect(growth.find((g) => g.metric === 'dbMb')?.exponents).toEqual([1, 1]);
    // A case measured at one size, a string extra and the size itself make no series.
    expect(growth.map((g) => g.case)).not.toContain('chat.turn');
    expect(growth.map((g) => g.metric).sort()).toEqual(['dbMb', 'p50', 'p99', 'rate']);
  });

  it('leaves the exponent out where a value is not positive', () => {
    const growth = growthOf([result('x@1k', 1, { errors: 0 }), result('x@10k', 1, { errors: 5 })]);
    expect(growth.find((g) => g.metric === 'errors')?.exponents).toEqual([null]);
  });
});

describe('plot', () => {
  const report = {
    schema: 'progeny.bench/1',
    kind: 'core',
    createdAt: '2026-12-07T08:00:00.000Z',
    env: { cpus: 2, cpuModel: 'CPU <test>', node: 'v20', loadavg: [1, 2, 3] },
    config: {},
    results: [result('scale.recall@10k', 1, { indexMb: 4 }), result('scale.recall@100k', 2, { indexMb: 40 })],
    skipped: [],
    invalid: [],
    thresholds: [],
    baseline: null,
    verdict: { status: 'pass', exitCode: 0, reasons: [] },
  } as unknown as BenchReport;
  report.growth = growthOf(report.results);

  it('draws every case on the latency axis and a chart per growing figure, escaping text', () => {
    const svg = plotSvg(report);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trim().endsWith('</svg>')).toBe(true);
    expect(svg).toContain('>scale.recall@10k</text>');
    expect(svg).toContain('>scale.recall@100k</text>');
    expect(svg).toContain('scale.recall latency (ms)');
    expect(svg).toContain('scale.recall indexMb');
    expect(svg).not.toContain('scale.recall rate'); // the rate mirrors the latency
    expect(svg).toContain('CPU &lt;test&gt;');
    expect(svg).not.toContain('<test>');
  });

  it('wraps the SVG in a page for an .html file', () => {
    expect(plotFile(report, 'x.html')).toMatch(/^<!doctype html>[\s\S]*<svg[\s\S]*<\/svg>\n<\/body><\/html>\n$/);
    expect(plotFile(report, 'x.svg').startsWith('<svg')).toBe(true);
  });
});
