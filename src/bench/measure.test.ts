import { describe, expect, it } from 'vitest';
import { ProgenyError } from '../core/errors.js';
import { measureCase } from './measure.js';
import { globMatcher, parseDuration, parsePercent, parseSizeList } from './parse.js';

describe('measureCase', () => {
  it('stops at the call bound before the duration', async () => {
    let n = 0;
    const m = await measureCase({ name: 'x', op: () => n++ }, { warmupMs: 0, durationMs: 10_000, maxCalls: 500 });
    expect(m.calls).toBe(500);
    expect(m.histogram.count).toBe(500);
    expect(n).toBe(500);
  });

  it('stops at the duration, awaits async calls and times them', async () => {
    const m = await measureCase(
      { name: 'x', op: () => new Promise((r) => setTimeout(r, 5)) },
      { warmupMs: 0, durationMs: 100, maxCalls: 1e6 },
    );
    expect(m.calls).toBeGreaterThan(3);
    expect(m.calls).toBeLessThan(25);
    expect(m.histogram.percentile(50)).toBeGreaterThanOrEqual(4e6); // ≥ 4 ms: the timer, not the promise creation
    expect(m.elapsedNs).toBeGreaterThanOrEqual(100e6);
  });

  it('counts failures and keeps the first message', async () => {
    let i = 0;
    const m = await measureCase(
      {
        name: 'x',
        op: () => {
          if (i++ % 2) throw new Error(`boom ${i}`);
        },
      },
      { warmupMs: 0, durationMs: 1000, maxCalls: 100 },
    );
    expect(m.errors).toBe(50);
    expect(m.firstError).toBe('boom 2');
  });

  it('runs the warm-up uncounted', async () => {
    let n = 0;
    const m = await measureCase({ name: 'x', op: () => n++ }, { warmupMs: 1000, durationMs: 1000, maxCalls: 100 });
    expect(n).toBe(200);
    expect(m.calls).toBe(100);
  });
});

describe('bench flag parsers', () => {
  it('parses durations', () => {
    expect(parseDuration('500ms', '--d')).toBe(500);
    expect(parseDuration('2s', '--d')).toBe(2000);
    expect(parseDuration('1.5', '--d')).toBe(1500);
    expect(parseDuration('1m', '--d')).toBe(60_000);
    expect(() => parseDuration('fast', '--d')).toThrow(ProgenyError);
    expect(() => parseDuration('-1s', '--d')).toThrow(/not a duration/);
  });

  it('parses percentages', () => {
    expect(parsePercent('10%', '--m')).toBeCloseTo(0.1);
    expect(parsePercent('2.5', '--m')).toBeCloseTo(0.025);
    expect(() => parsePercent('ten', '--m')).toThrow(/not a percentage/);
  });

  it('matches comma-separated globs literally apart from * and ?', () => {
    const m = globMatcher('state.*,memory.recall@1?k');
    expect(['state.read', 'memory.recall@10k', 'memory.recall@100k', 'stateXread'].map(m)).toEqual([
      true,
      true,
      false,
      false,
    ]);
    expect(globMatcher(undefined)('anything')).toBe(true);
  });

  it('parses dataset size lists with k and m suffixes, sorted and without repeats', () => {
    expect(parseSizeList('10k,100k,1M', '--memories', 1e7)).toEqual([10_000, 100_000, 1_000_000]);
    expect(parseSizeList('1m, 2500,2.5k', '--memories', 1e7)).toEqual([2500, 1_000_000]);
    expect(() => parseSizeList('10k,lots', '--memories', 1e7)).toThrow(/--memories takes sizes .* not "lots"/);
    expect(() => parseSizeList('20m', '--memories', 1e7)).toThrow(ProgenyError);
    expect(() => parseSizeList('0', '--memories', 1e7)).toThrow(ProgenyError);
  });
});
