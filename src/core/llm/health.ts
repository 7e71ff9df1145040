/**
 * Whether the model can be used right now, for the engine's FULL/OFFLINE decision (docs/domain.md, "Degradation modes").
 * It probes on the first refresh, remembers the answer, and after a failure probes again only when a backoff has
 * passed (1 s doubling to 60 s), never on every call. Time comes from the injected Clock; there are no timers.
 */
import type { Clock } from '../clock.js';
import { isProgenyError, type ProgenyError } from '../errors.js';
import type { LlmProvider, ProbeError } from './types.js';

export interface LlmHealthSnapshot {
  /** The model can be used: FULL. False: OFFLINE (or DEAD with no memory). */
  ok: boolean;
  /** The server answered the last probe (false when refused, unknown host, timed out, or never checked). */
  reachable: boolean;
  detail: string;
  error?: ProbeError;
  /** Clock time of the last probe or report; null before the first. */
  checkedAt: number | null;
  /** When the next probe is due while not ok; null when ok. */
  nextProbeAt: number | null;
}

export interface LlmHealthOptions {
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** Consecutive transient failures (5xx, cut streams, timeouts) that mark the model unusable. */
  failuresBeforeDown?: number;
}

export interface LlmHealth {
  current(): LlmHealthSnapshot;
  /** Probes now (concurrent calls share one probe). */
  check(signal?: AbortSignal): Promise<LlmHealthSnapshot>;
  /** Probes only when due: never checked, or not ok and the backoff has passed. Otherwise the remembered state. */
  refresh(signal?: AbortSignal): Promise<LlmHealthSnapshot>;
  reportFailure(err: unknown): void;
  reportSuccess(): void;
}

export type LlmFailureKind = 'cancelled' | 'unavailable' | 'transient' | 'other';

/**
 * cancelled: the caller aborted; says nothing about the server. unavailable: it cannot serve us until someone acts
 * (not running, wrong URL, bad key, model not pulled). transient: it answered but misbehaved (5xx, 429, timeout, cut
 * or malformed stream). other: not an LLM error (a bug elsewhere).
 */
export function llmFailureKind(err: unknown): LlmFailureKind {
  if (!isProgenyError(err)) return 'other';
  if (err.code === 'INTERRUPTED') return 'cancelled';
  if (['LLM_UNREACHABLE', 'LLM_AUTH', 'LLM_MODEL_MISSING'].includes(err.code)) return 'unavailable';
  return err.code.startsWith('LLM_') ? 'transient' : 'other';
}

export function createLlmHealth(provider: LlmProvider | null, clock: Clock, opts: LlmHealthOptions = {}): LlmHealth {
  const initial = opts.initialBackoffMs ?? 1_000;
  const max = opts.maxBackoffMs ?? 60_000;
  const threshold = opts.failuresBeforeDown ?? 3;
  let backoff = initial;
  let failures = 0;
  let inFlight: Promise<LlmHealthSnapshot> | undefined;
  let state: LlmHealthSnapshot = provider
    ? { ok: false, reachable: false, detail: 'not checked yet', checkedAt: null, nextProbeAt: 0 }
    : {
        ok: false,
        reachable: false,
        detail: 'no model configured (llm.provider=offline)',
        error: { code: 'LLM_OFFLINE', message: 'no model configured', hint: 'set llm.provider to ollama or openai' },
        checkedAt: null,
        nextProbeAt: null,
      };

  const up = (detail: string): void => {
    state = { ok: true, reachable: true, detail, checkedAt: clock.now(), nextProbeAt: null };
    backoff = initial;
    failures = 0;
  };
  const down = (reachable: boolean, detail: string, error?: ProbeError): void => {
    const now = clock.now();
    state = { ok: false, reachable, detail, checkedAt: now, nextProbeAt: now + backoff, ...(error ? { error } : {}) };
    backoff = Math.min(backoff * 2, max);
  };

  async function check(signal?: AbortSignal): Promise<LlmHealthSnapshot> {
    if (!provider) return state;
    inFlight ??= provider
      .probe(signal)
      .then((r) => {
        if (r.ok) up(r.detail);
        else down(r.reachable, r.detail, r.error);
        return state;
      })
      .finally(() => {
        inFlight = undefined;
      });
    return inFlight;
  }

  return {
    current: () => state,
    check,
    refresh: async (signal) => {
      if (!provider || state.ok || state.nextProbeAt === null || clock.now() < state.nextProbeAt) return state;
      return check(signal);
    },
    reportFailure(err) {
      const kind = llmFailureKind(err);
      if (!provider || kind === 'cancelled' || kind === 'other') return;
      failures++;
      if (kind === 'transient' && failures < threshold) return;
      const e = err as ProgenyError;
      const reachable = e.code !== 'LLM_UNREACHABLE';
      if (state.ok || state.checkedAt === null) backoff = initial;
      down(reachable, e.message, { code: e.code, message: e.message, ...(e.hint ? { hint: e.hint } : {}) });
    },
    reportSuccess() {
      if (provider && !state.ok) up('the model answered');
      failures = 0;
    },
  };
}
