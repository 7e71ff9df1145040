import { describe, expect, it } from 'vitest';
import { compareToBaseline, judge } from './baseline.js';
import type { BenchReport } from './report.js';
import type { CaseResult } from './types.js';

const withRuns = (name: string, p50s: number[], rates = p50s.map((p) => 1000 / p)): CaseResult => ({
  name,
  group: 'x',
  runs: p50s.map((p50, i) => ({
    run: i + 1,
    latency: { count: 10, min: p50, mean: p50, p50, p95: p50, p99: p50, max: p50 },
    rate: rates[i]!,
    calls: 10,
    errors: 0,
    elapsedMs: 1,
  })),
  latency: { count: 10, min: 1, mean: 1, p50: 1, p95: 1, p99: 1, max: 1 },
  rate: 1,
  errors: 0,
  spread: { p50: { min: 0, max: 0, cv: 0 }, rate: { min: 0, max: 0, cv: 0 } },
  invalid: [],
});

describe('judge (per-run values)', () => {
  it('same values are the same', () => expect(judge([1, 1.02, 0.98], [1, 1.01, 0.99], 0.1, false)).toBe('same'));
  it('every run 30% slower is a regression', () =>
    expect(judge([1, 1.02, 0.98], [1.3, 1.32, 1.28], 0.1, false)).toBe('regressed'));
  it('30% faster is an improvement', () =>
    expect(judge([1, 1.02, 0.98], [0.7, 0.71, 0.69], 0.1, false)).toBe('improved'));
  it('a slower median with one run as fast as the baseline is noise, not a regression', () =>
    expect(judge([1, 1, 1], [1.3, 1.3, 0.95], 0.1, false)).toBe('same'));
  it('a slowdown inside the tolerance is the same', () =>
    expect(judge([1, 1, 1], [1.08, 1.09, 1.07], 0.1, false)).toBe('same'));
  it('for rates, a drop is the regression', () => {
    expect(judge([1000, 1010, 990], [700, 710, 690], 0.1, true)).toBe('regressed');
    expect(judge([1000, 1010, 990], [1400, 1410, 1390], 0.1, true)).toBe('improved');
  });
});

describe('compareToBaseline', () => {
  const baseline = {
    schema: 'progeny.bench/1',
    results: [withRuns('a', [1, 1, 1]), withRuns('b', [2, 2, 2]), withRuns('gone', [1])],
  } as BenchReport;

  it('marks regressed, same, new and missing cases', () => {
    const c = compareToBaseline(
      baseline,
      [withRuns('a', [1.5, 1.6, 1.55]), withRuns('b', [2, 2.05, 1.98]), withRuns('new', [1])],
      0.1,
      'base.json',
    );
    expect(Object.fromEntries(c.cases.map((x) => [x.name, x.status]))).toEqual({
      a: 'regressed',
      b: 'same',
      new: 'new',
      gone: 'missing',
    });
    expect(c.regressed).toEqual(['a']);
    expect(c.cases[0]!.metrics[0]).toMatchObject({
      metric: 'p50',
      baseline: 1,
      current: 1.55,
      change: 0.55,
      verdict: 'regressed',
    });
  });

  it('a generous tolerance absorbs the slowdown', () => {
    const c = compareToBaseline(baseline, [withRuns('a', [1.5, 1.6, 1.55])], 1, 'base.json');
    expect(c.regressed).toEqual([]);
  });
});
