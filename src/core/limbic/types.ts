/** The companion's emotional state (docs/domain.md, "Limbic state"). */

import type { Perception } from './perceive.js';

export const POSTURES = ['COMPANION', 'COPILOT', 'PEER', 'EXPERT'] as const;
export type Posture = (typeof POSTURES)[number];

export const LIMBIC_VARIABLES = ['trust', 'warmth', 'arousal', 'valence'] as const;
export type LimbicVariable = (typeof LIMBIC_VARIABLES)[number];

export interface LimbicState {
  trust: number;
  warmth: number;
  arousal: number;
  valence: number;
  posture: Posture;
  interactionCount: number;
  lastInteractionAt: number | null;
  flags: string[];
  /** Elastic mode (the init interview): deltas ×3, capped by limbic.elasticMaxDelta. */
  elastic: boolean;
  /** Wall time up to which time-based decay has been applied to the stored values. */
  decayedAt: number;
}

/** One logged change with its cause, so `progeny state why` can explain the current values. */
export interface LimbicChange {
  variable: LimbicVariable | 'posture' | 'flags' | 'elastic' | 'interactionCount';
  before: number | string | boolean | string[];
  after: number | string | boolean | string[];
  delta?: number;
  cause: string;
}

export interface LimbicSnapshot extends LimbicState {
  /** Derived predicates. */
  slumber: boolean;
  crisis: boolean;
  tier: 0 | 1 | 2 | 3;
  version: number;
}

export function defaultLimbicState(now: number): LimbicState {
  return {
    trust: 0.5,
    warmth: 0.6,
    arousal: 0.7,
    valence: 0.5,
    posture: 'PEER',
    interactionCount: 0,
    lastInteractionAt: null,
    flags: [],
    elastic: false,
    decayedAt: now,
  };
}

export interface LimbicLogEntry {
  at: number;
  variable: string;
  before: unknown;
  after: unknown;
  delta: number | null;
  cause: string;
  turnId: string | null;
}

export interface LimbicService {
  /** The current state with decay applied up to now (not persisted by reading). */
  read(): LimbicSnapshot;
  /**
   * `read()` as JSON, for the hottest API read (GET /v1/state): serialised once per stored version and clock
   * millisecond, since decay depends on nothing else; the stored version is still checked on every call.
   */
  readJson(): string;
  /** Applies one turn's perception; persists and returns the new state and what changed. */
  applyTurn(p: Perception, turnId: string): { state: LimbicSnapshot; changes: LimbicChange[] };
  /** An explicit adjustment (API, tests): deltas per variable with the earned rule, and a reason. */
  adjust(
    deltas: Partial<Record<LimbicVariable, number>>,
    reason: string,
  ): { state: LimbicSnapshot; changes: LimbicChange[] };
  setElastic(on: boolean, reason: string): LimbicSnapshot;
  /** A rolled-back action costs trust 0.02 (docs/domain.md). */
  recordRollback(what: string): LimbicSnapshot;
  reset(reason: string): LimbicSnapshot;
  why(variable?: string, limit?: number): LimbicLogEntry[];
}
