import { describe, expect, it } from 'vitest';
import { ProgenyError } from '../core/errors.js';
import { evaluateThresholds, parseThreshold } from './thresholds.js';
import type { CaseResult } from './types.js';

const result = (name: string, p95: number, rate = 1000, errors = 0): CaseResult => ({
  name,
  group: name.split('.')[0]!,
  runs: [],
  latency: { count: 100, min: 0.1, mean: p95 / 2, p50: p95 / 2, p95, p99: p95 * 1.5, max: p95 * 2 },
  rate,
  errors,
  spread: { p50: { min: 0, max: 0, cv: 0 }, rate: { min: 0, max: 0, cv: 0 } },
  invalid: [],
});

describe('parseThreshold', () => {
  it.each([
    ['memory.recall@10k:p(95)<2ms', { selector: 'memory.recall@10k', stat: { kind: 'p', p: 95 }, op: '<', value: 2 }],
    ['state.read:p(99)<=50us', { selector: 'state.read', stat: { kind: 'p', p: 99 }, op: '<=', value: 0.05 }],
    ['state.*:p(99.9) < 1 s', { selector: 'state.*', stat: { kind: 'p', p: 99.9 }, op: '<', value: 1000 }],
    ['chat.turn@100k:avg<3000µs', { stat: { kind: 'avg' }, value: 3 }],
    ['chat.turn@100k:mean<250ns', { stat: { kind: 'avg' }, value: 0.00025 }],
    [
      'http.closed GET /v1/state:rate>=5000/s',
      { selector: 'http.closed GET /v1/state', stat: { kind: 'rate' }, op: '>=', value: 5000 },
    ],
    ['memory.ingest:rate>5e3', { stat: { kind: 'rate' }, value: 5000 }],
    ['*:errors<1', { selector: '*', stat: { kind: 'errors' }, value: 1 }],
    ['x:max>0.5ms', { stat: { kind: 'max' }, op: '>', value: 0.5 }],
    ['http.closed*:ratio>=0.6', { stat: { kind: 'ratio' }, op: '>=', value: 0.6 }],
    ['recall@10>=0.6', { selector: 'recall.all', stat: { kind: 'recallAt', k: 10 }, op: '>=', value: 0.6 }],
    ['recall.temporal:recall@5 > 0.5', { selector: 'recall.temporal', stat: { kind: 'recallAt', k: 5 }, value: 0.5 }],
  ])('parses %s', (expr, want) => {
    expect(parseThreshold(expr)).toMatchObject(want);
  });

  it.each([
    ['memory.recall<2ms', 'no stat'],
    ['memory.recall:p(95)<2', 'latency without a unit'],
    ['memory.recall:p(95)<2kg', 'unknown unit'],
    ['memory.recall:p(0)<2ms', 'percentile 0'],
    ['memory.recall:p(101)<2ms', 'percentile over 100'],
    ['memory.recall:p95<2ms', 'p without parentheses'],
    ['memory.recall:p(95)=2ms', 'unknown operator'],
    ['memory.recall:rate>5ms', 'a rate with a time unit'],
    ['memory.recall:errors<1/s', 'errors with a unit'],
    ['http.closed*:ratio>0.6ms', 'a ratio with a unit'],
    [':p(95)<2ms', 'empty selector'],
    ['memory.recall:p(95)<-2ms', 'negative value'],
    ['recall@10>=0.6ms', 'a recall with a unit'],
    ['recall@0>=0.6', 'recall@0'],
    ['recall@10=0.6', 'unknown operator'],
  ])('rejects %s (%s) with a usage error', (expr) => {
    let err: unknown;
    try {
      parseThreshold(expr);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ProgenyError);
    expect((err as ProgenyError).exitCode).toBe(2);
    expect((err as ProgenyError).message).toContain(expr);
  });
});

describe('evaluateThresholds', () => {
  const results = [result('state.read', 0.01), result('state.update', 2), result('chat.turn@10k', 5, 150, 2)];
  const p = () => 0.5;

  it('passes, breaches and reports unmatched selectors', () => {
    const r = evaluateThresholds(
      [
        'state.read:p(95)<0.05ms',
        'state.*:p(95)<1ms',
        'memory.*:p(95)<1ms',
        'chat.*:rate>100/s',
        'chat.*:errors<1',
      ].map(parseThreshold),
      results,
      p,
    );
    expect(r.map((x) => x.status)).toEqual(['pass', 'breach', 'unmatched', 'pass', 'breach']);
    expect(r[1]!.checks).toEqual([
      { name: 'state.read', actual: 0.01, pass: true },
      { name: 'state.update', actual: 2, pass: false },
    ]);
  });

  it('judges the ratio only where a case has one', () => {
    const withRatio = { ...result('http.closed GET /v1/state', 1), extra: { ratio: 0.5 } };
    const r = evaluateThresholds([parseThreshold('*:ratio>=0.6')], [...results, withRatio], p);
    expect(r[0]).toMatchObject({
      status: 'breach',
      checks: [{ name: 'http.closed GET /v1/state', actual: 0.5, pass: false }],
    });
  });

  it('judges a figure a case reports in MB or ms by its name, only where the case has it', () => {
    expect(parseThreshold('scale.recall@1m:serveRssMb<=1024')).toEqual({
      expr: 'scale.recall@1m:serveRssMb<=1024',
      selector: 'scale.recall@1m',
      stat: { kind: 'figure', name: 'serveRssMb' },
      op: '<=',
      value: 1024,
    });
    expect(() => parseThreshold('scale.*:searchFromNewProcessMs<500ms')).toThrow(/plain number/);
    const at1m = { ...result('scale.recall@1m', 1), extra: { serveRssMb: 701.4, searchFromNewProcessMs: 582.7 } };
    const r = evaluateThresholds(
      ['scale.*:serveRssMb<=1024', 'scale.*:searchFromNewProcessMs<=500'].map(parseThreshold),
      [...results, at1m],
      p,
    );
    expect(r.map((t) => t.status)).toEqual(['pass', 'breach']);
    expect(r[1]!.checks).toEqual([{ name: 'scale.recall@1m', actual: 582.7, pass: false }]);
    const none = evaluateThresholds([parseThreshold('*:serveRssMb<1')], results, p);
    expect(none[0]!.status).toBe('unmatched');
  });

  it('judges a search recall only where a case measured one', () => {
    const withRecall = { ...result('memory.recall@100k', 1), extra: { recallAt10: 0.93 } };
    const r = evaluateThresholds(
      [parseThreshold('memory.*:recall>=0.95'), parseThreshold('memory.*:recall>=0.9')],
      [...results, withRecall],
      p,
    );
    expect(r[0]).toMatchObject({
      status: 'breach',
      checks: [{ name: 'memory.recall@100k', actual: 0.93, pass: false }],
    });
    expect(r[1]).toMatchObject({ status: 'pass' });
    expect(() => parseThreshold('memory.*:recall>=0.95ms')).toThrow(/plain number/);
  });

  it('judges evidence recall@K on the bench recall cases that measured that K', () => {
    const all = { ...result('recall.all', 1), extra: { 'recall@5': 0.5, 'recall@10': 0.7 } };
    const temporal = { ...result('recall.temporal', 1), extra: { 'recall@5': 0.3, 'recall@10': 0.4 } };
    const r = evaluateThresholds(
      ['recall@10>=0.6', 'recall.*:recall@5>=0.4', 'recall@20>=0.1'].map(parseThreshold),
      [...results, all, temporal],
      p,
    );
    expect(r.map((x) => x.status)).toEqual(['pass', 'breach', 'unmatched']);
    expect(r[1]!.checks).toEqual([
      { name: 'recall.all', actual: 0.5, pass: true },
      { name: 'recall.temporal', actual: 0.3, pass: false },
    ]);
  });

  it('takes other percentiles from the merged histogram', () => {
    const r = evaluateThresholds([parseThreshold('state.read:p(90)<0.4ms')], results, p);
    expect(r[0]).toMatchObject({ status: 'breach', checks: [{ actual: 0.5 }] });
  });
});
