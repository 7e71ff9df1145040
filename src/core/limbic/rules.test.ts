import { describe, expect, it } from 'vitest';
import { DAY_MS, HOUR_MS } from '../clock.js';
import { boundDelta, decay, earn, isCrisis, isReunion, isSlumber, trustTier } from './rules.js';
import { defaultLimbicState } from './types.js';

const rules = { maxDelta: 0.1, elasticMaxDelta: 0.3 };

describe('earned asymptotic rule (docs/domain.md check values)', () => {
  it('trust 0.5 +0.1 → 0.55', () => expect(earn(0.5, 0.1)).toBeCloseTo(0.55, 12));
  it('trust 0.7 −0.1 → 0.63', () => expect(earn(0.7, -0.1)).toBeCloseTo(0.63, 12));
  it('elastic trust 0.5 +0.1×3 → 0.65', () => {
    expect(earn(0.5, boundDelta(0.1, { elastic: true, ...rules }))).toBeCloseTo(0.65, 12);
  });
  it('gains shrink near 1 and losses near 0, never leaving [0,1]', () => {
    expect(earn(0.99, 0.1)).toBeCloseTo(0.991, 12);
    expect(earn(0.01, -0.1)).toBeCloseTo(0.009, 12);
    expect(earn(1, 5)).toBe(1);
    expect(earn(0, -5)).toBe(0);
  });
  it('bounds per-turn deltas to 0.1, or 0.3 in elastic mode', () => {
    expect(boundDelta(0.25, { elastic: false, ...rules })).toBe(0.1);
    expect(boundDelta(-0.25, { elastic: false, ...rules })).toBe(-0.1);
    expect(boundDelta(0.2, { elastic: true, ...rules })).toBe(0.3);
    expect(boundDelta(0.05, { elastic: true, ...rules })).toBeCloseTo(0.15, 12);
  });
});

describe('decay with elapsed time', () => {
  it('arousal falls as 0.85^days with a floor of 0.2', () => {
    const s = { ...defaultLimbicState(0), arousal: 0.8 };
    expect(decay(s, 2 * DAY_MS).state.arousal).toBeCloseTo(0.8 * 0.85 ** 2, 12);
    expect(decay(s, 60 * DAY_MS).state.arousal).toBe(0.2);
  });
  it('valence drifts toward 0.5 as 1 − e^(−0.1·hours)', () => {
    const s = { ...defaultLimbicState(0), valence: 0.9 };
    expect(decay(s, 10 * HOUR_MS).state.valence).toBeCloseTo(0.9 + (0.5 - 0.9) * (1 - Math.exp(-1)), 12);
  });
  it('is composable: two short decays equal one long one', () => {
    const s = { ...defaultLimbicState(0), arousal: 0.9, valence: 0.1 };
    const once = decay(s, 30 * HOUR_MS).state;
    const twice = decay(decay(s, 7 * HOUR_MS).state, 30 * HOUR_MS).state;
    expect(twice.arousal).toBeCloseTo(once.arousal, 12);
    expect(twice.valence).toBeCloseTo(once.valence, 12);
  });
  it('logs a cause for every change, and nothing when no time passed', () => {
    const s = defaultLimbicState(1000);
    expect(decay(s, 1000).changes).toEqual([]);
    const { changes } = decay({ ...s, valence: 0.8 }, 1000 + DAY_MS);
    expect(changes.map((c) => c.variable).sort()).toEqual(['arousal', 'valence']);
    expect(changes.every((c) => c.cause.length > 0)).toBe(true);
  });
});

describe('predicates and tiers', () => {
  it('slumber below arousal 0.3, crisis below valence 0.3', () => {
    expect(isSlumber({ arousal: 0.29 })).toBe(true);
    expect(isSlumber({ arousal: 0.3 })).toBe(false);
    expect(isCrisis({ valence: 0.29 })).toBe(true);
    expect(isCrisis({ valence: 0.3 })).toBe(false);
  });
  it('maps trust to tiers 0–3 at 0.6, 0.8 and 0.9', () => {
    expect([0.59, 0.6, 0.79, 0.8, 0.89, 0.9, 1].map(trustTier)).toEqual([0, 1, 1, 2, 2, 3, 3]);
  });
  it('detects a reunion after 48 h away', () => {
    const s = { ...defaultLimbicState(0), lastInteractionAt: 0 };
    expect(isReunion(s, 47 * HOUR_MS, 48)).toBe(false);
    expect(isReunion(s, 48 * HOUR_MS, 48)).toBe(true);
    expect(isReunion(defaultLimbicState(0), 100 * HOUR_MS, 48)).toBe(false);
  });
});
