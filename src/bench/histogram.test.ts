import { describe, expect, it } from 'vitest';
import { Histogram, RELATIVE_ERROR, slotRange } from './histogram.js';
import { seededRandom } from '../core/random.js';

/** Nearest-rank percentile of a sorted array: the definition the histogram approximates. */
const exact = (sorted: number[], p: number): number => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;

function check(values: number[]): void {
  const h = new Histogram();
  for (const v of values) h.record(v);
  const sorted = values.map(Math.floor).sort((a, b) => a - b);
  for (const p of [1, 10, 50, 90, 95, 99, 99.9]) {
    const want = exact(sorted, p);
    expect(Math.abs(h.percentile(p) - want)).toBeLessThanOrEqual(want * RELATIVE_ERROR + 1e-9);
  }
  expect(h.percentile(100)).toBe(sorted.at(-1));
  expect(h.min).toBe(sorted[0]);
  expect(h.count).toBe(values.length);
  expect(h.mean()).toBeCloseTo(sorted.reduce((a, b) => a + b, 0) / sorted.length, 6);
}

describe('Histogram', () => {
  it('keeps small values exactly', () => {
    const h = new Histogram();
    for (let v = 0; v < 256; v++) h.record(v);
    expect(h.percentile(50)).toBe(127);
    expect(h.percentile(1)).toBe(2);
    expect(h.percentile(100)).toBe(255);
  });

  it('matches exact percentiles of a uniform distribution within the error bound', () => {
    const rnd = seededRandom(1);
    check(Array.from({ length: 200_000 }, () => 1_000 + rnd() * 9_000_000));
  });

  it('matches an exponential distribution (long tail) within the bound', () => {
    const rnd = seededRandom(2);
    const mean = 250_000; // 0.25 ms
    const values = Array.from({ length: 200_000 }, () => -Math.log(1 - rnd()) * mean);
    check(values);
    // The analytic quantiles agree too: P50 = ln 2·mean, P99 = ln 100·mean (sampling error ~2 % at this n).
    const h = new Histogram();
    for (const v of values) h.record(v);
    expect(h.percentile(50) / (Math.LN2 * mean)).toBeCloseTo(1, 1);
    expect(h.percentile(99) / (Math.log(100) * mean)).toBeCloseTo(1, 1);
  });

  it('reports a constant exactly, at any magnitude', () => {
    for (const v of [7, 1_234_567, 3_600_000_000_000]) {
      const h = new Histogram();
      for (let i = 0; i < 1000; i++) h.record(v);
      expect(h.percentile(50)).toBe(v);
      expect(h.percentile(99)).toBe(v);
    }
  });

  it('has contiguous slots whose width keeps the relative error bound', () => {
    let prevHigh = 0;
    for (let slot = 0; slot < 2_000; slot++) {
      const [low, high] = slotRange(slot);
      expect(low).toBe(prevHigh);
      expect((high - low - 1) / 2 / Math.max(low, 1)).toBeLessThanOrEqual(RELATIVE_ERROR);
      prevHigh = high;
    }
  });

  it('merges and survives encode/decode without changing any statistic', () => {
    const rnd = seededRandom(3);
    const a = new Histogram();
    const b = new Histogram();
    const all = new Histogram();
    for (let i = 0; i < 10_000; i++) {
      const v = rnd() * 1e7;
      (i % 2 ? a : b).record(v);
      all.record(v);
    }
    const merged = Histogram.decode(JSON.parse(JSON.stringify(a.encode())) as ReturnType<Histogram['encode']>).merge(b);
    for (const p of [50, 95, 99, 100]) expect(merged.percentile(p)).toBe(all.percentile(p));
    expect(merged.count).toBe(all.count);
    expect(merged.min).toBe(all.min);
  });

  it('is empty-safe', () => {
    const h = new Histogram();
    expect(h.percentile(99)).toBe(0);
    expect(h.encode()).toMatchObject({ count: 0, min: 0, max: 0 });
  });
});
