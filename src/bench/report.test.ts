import { describe, expect, it } from 'vitest';
import { aggregate } from './aggregate.js';
import { Histogram, RELATIVE_ERROR } from './histogram.js';
import { decideVerdict, envFingerprint, SCHEMA, type BenchReport } from './report.js';
import { validateReport } from './report-schema.js';
import type { RawRun } from './types.js';

function raw(name: string, values: number[]): RawRun {
  const h = new Histogram();
  for (const v of values) h.record(v);
  return {
    name,
    group: 'state',
    histogram: h.encode(),
    calls: values.length,
    ops: values.length,
    errors: 0,
    elapsedNs: values.reduce((a, b) => a + b, 0),
  };
}

function report(): BenchReport {
  const results = aggregate([
    raw('state.read', [1000, 2000, 3000, 4000]),
    raw('state.read', [1500, 2500, 3500, 4500]),
    raw('state.update', [1e6, 2e6]),
  ]);
  return {
    schema: SCHEMA,
    kind: 'core',
    createdAt: new Date().toISOString(),
    env: envFingerprint(40),
    config: { runs: 2 },
    results,
    skipped: [],
    invalid: [],
    thresholds: [],
    baseline: null,
    verdict: decideVerdict([], [], null),
  };
}

describe('progeny.bench/1 report', () => {
  it('aggregates per-run values in ms floats and validates', () => {
    const r = report();
    expect(validateReport(JSON.parse(JSON.stringify(r)))).toEqual([]);
    const read = r.results[0]!;
    expect(read.runs).toHaveLength(2);
    // Percentiles are bucket midpoints (within RELATIVE_ERROR); max is exact.
    expect(Math.abs(read.runs[0]!.latency.p50 - 0.002) / 0.002).toBeLessThanOrEqual(RELATIVE_ERROR);
    expect(read.latency.max).toBe(0.0045);
    expect(read.latency.count).toBe(8);
    expect(read.runs[0]!.rate).toBe(400_000); // 4 calls in 10 µs
    expect(r.results[1]!.runs[0]!.latency.p99).toBe(2); // the max, exact
  });

  it('reports a figure measured per run (a recall) as the median of the runs', () => {
    const runs = [0.91, 0.97, 0.95].map((recallAt10) => ({
      ...raw('memory.recall@100k', [1000, 2000]),
      extra: { recallAt10, note: 'x' },
    }));
    const [c] = aggregate(runs);
    expect(c!.extra).toEqual({ recallAt10: 0.95, note: 'x' });
  });

  it('reports what is wrong with a malformed report', () => {
    const r = JSON.parse(JSON.stringify(report())) as Record<string, unknown>;
    r.schema = 'progeny.bench/0';
    delete (r.results as Record<string, unknown>[])[0]!.latency;
    (r.verdict as Record<string, unknown>).status = 'fine';
    expect(validateReport(r)).toEqual(
      expect.arrayContaining([
        'schema must be "progeny.bench/1"',
        'results[0].latency must be an object',
        'verdict must have status, exitCode and reasons',
      ]),
    );
    expect(validateReport(null)).toEqual(['the report must be an object']);
  });

  it('ranks verdicts: invalid, then threshold breach, then regression', () => {
    const breach = [
      { expr: 'x:p(95)<1ms', status: 'breach' as const, checks: [{ name: 'x', actual: 2, pass: false }] },
    ];
    const base = { file: 'b.json', tolerance: 0.1, cases: [], regressed: ['x'] };
    expect(decideVerdict(['too few calls'], breach, base)).toMatchObject({ status: 'invalid', exitCode: 12 });
    expect(decideVerdict([], breach, base)).toMatchObject({
      status: 'threshold-breach',
      exitCode: 10,
      reasons: ['x:p(95)<1ms: x measured 2'],
    });
    expect(decideVerdict([], [], base)).toMatchObject({ status: 'regression', exitCode: 11 });
    expect(decideVerdict([], [], null)).toMatchObject({ status: 'pass', exitCode: 0 });
  });
});
