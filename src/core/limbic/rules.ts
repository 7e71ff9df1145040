/**
 * The pure rules of the limbic state (docs/domain.md): earned asymptotic change, decay with elapsed time, reunion,
 * predicates and trust tiers. No I/O here, so every rule is pinned by unit tests.
 */
import { DAY_MS, HOUR_MS } from '../clock.js';
import type { LimbicChange, LimbicState, LimbicVariable } from './types.js';

export const clamp01 = (x: number): number => (x < 0 ? 0 : x > 1 ? 1 : x);

/** Earned, asymptotic change: gains shrink near 1, losses shrink near 0. */
export function earn(x: number, d: number): number {
  if (d > 0) return clamp01(x + d * (1 - x));
  if (d < 0) return clamp01(x + d * x);
  return clamp01(x);
}

/** Caps a per-turn delta: |d| ≤ maxDelta, or, in elastic mode, d×3 capped by elasticMax. */
export function boundDelta(d: number, opts: { elastic: boolean; maxDelta: number; elasticMaxDelta: number }): number {
  const scaled = opts.elastic ? d * 3 : d;
  const cap = opts.elastic ? opts.elasticMaxDelta : opts.maxDelta;
  return Math.max(-cap, Math.min(cap, scaled));
}

export const AROUSAL_FLOOR = 0.2;
export const VALENCE_BASELINE = 0.5;

/**
 * Applies decay for the time since state.decayedAt. Composable: decaying in two steps equals one step. Reads that
 * only show the state pass explain=false: they skip describing the changes (the hot path of GET /v1/state).
 */
export function decay(
  state: LimbicState,
  now: number,
  explain = true,
): { state: LimbicState; changes: LimbicChange[] } {
  const elapsed = now - state.decayedAt;
  if (elapsed <= 0) return { state, changes: [] };
  const days = elapsed / DAY_MS;
  const hours = elapsed / HOUR_MS;
  const arousal =
    state.arousal <= AROUSAL_FLOOR ? state.arousal : Math.max(AROUSAL_FLOOR, state.arousal * 0.85 ** days);
  const valence = state.valence + (VALENCE_BASELINE - state.valence) * (1 - Math.exp(-0.1 * hours));
  const changes: LimbicChange[] = [];
  if (!explain) return { state: { ...state, arousal, valence, decayedAt: now }, changes };
  const moved = (variable: 'arousal' | 'valence', after: number, cause: string): void => {
    const before = state[variable];
    if (after !== before) changes.push({ variable, before, after, delta: after - before, cause });
  };
  moved('arousal', arousal, `decay over ${hours.toFixed(1)} h`);
  moved('valence', valence, `drift toward baseline over ${hours.toFixed(1)} h`);
  return { state: { ...state, arousal, valence, decayedAt: now }, changes };
}

export const isSlumber = (s: Pick<LimbicState, 'arousal'>): boolean => s.arousal < 0.3;
export const isCrisis = (s: Pick<LimbicState, 'valence'>): boolean => s.valence < 0.3;

/** Trust tiers (docs/domain.md, "Trust tiers and device permissions"): 0 advisory, 1 may draft, 2 may act with confirmation, 3 may act and report. */
export function trustTier(trust: number): 0 | 1 | 2 | 3 {
  if (trust >= 0.9) return 3;
  if (trust >= 0.8) return 2;
  if (trust >= 0.6) return 1;
  return 0;
}

export function isReunion(state: LimbicState, now: number, reunionHours: number): boolean {
  return state.lastInteractionAt !== null && now - state.lastInteractionAt >= reunionHours * HOUR_MS;
}

/** Applies one variable's delta with the earned rule and records why. */
export function applyDelta(
  state: LimbicState,
  variable: LimbicVariable,
  d: number,
  cause: string,
  changes: LimbicChange[],
): LimbicState {
  if (d === 0) return state;
  const before = state[variable];
  const after = earn(before, d);
  if (after === before) return state;
  changes.push({ variable, before, after, delta: d, cause });
  return { ...state, [variable]: after };
}
