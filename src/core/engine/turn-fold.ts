/**
 * One reading of a turn's event stream (docs/domain.md, "The chat turn"): every front end — `progeny chat`, the
 * server's chat routes, the TUI — folds the events with foldTurnEvent and reads the reply, the mode, the recalled
 * memories and the failure from the same TurnOutcome, so they cannot disagree about what a turn did.
 */
import { ProgenyError, type ErrorJson } from '../errors.js';
import type { EngineEvent, Mode, TurnStats } from '../events.js';
import type { Hint } from '../hints.js';
import type { LimbicSnapshot, Posture } from '../limbic/types.js';
import type { RecallInfo, RecalledMemory } from '../memory/types.js';

export interface TurnOutcome {
  turnId: string | null;
  conversationId: string | null;
  model: string | null;
  posture: Posture | null;
  /** The mode the turn started in, then the one it ended in. */
  mode: Mode | null;
  /** Null until the `recall` event. */
  recalled: RecalledMemory[] | null;
  /** Whether recall used the vectors (the `recall` event's; absent when nothing was recalled). */
  recall?: RecallInfo;
  /** The reply so far: the tokens, then the stored reply of `done` or the partial reply of `error`. */
  reply: string;
  state: LimbicSnapshot | null;
  messageId: string | null;
  offline: boolean;
  cached: boolean;
  interrupted: boolean;
  /** The model stopped at the token limit: the reply is cut, stored as such, and not cached. */
  truncated: boolean;
  /** The model the server is loading before it answers, from `loading` until the first reasoning or token. */
  loading: string | null;
  /** A thinking model's reasoning (`thinking` events): never part of the reply. */
  thinking: string;
  stats: TurnStats | null;
  /** What the person can do about how the turn went (an OFFLINE reply: connect a model), never part of the reply. */
  hint: Hint | null;
  error: ErrorJson | null;
  /** `done` or `error` arrived. */
  ended: boolean;
}

export const newTurnOutcome = (): TurnOutcome => ({
  turnId: null,
  conversationId: null,
  model: null,
  posture: null,
  mode: null,
  recalled: null,
  reply: '',
  state: null,
  messageId: null,
  offline: false,
  cached: false,
  interrupted: false,
  truncated: false,
  loading: null,
  thinking: '',
  stats: null,
  hint: null,
  error: null,
  ended: false,
});

/** The outcome after one more event (pure: the TUI's reducer uses it as is). */
export function foldTurnEvent(t: TurnOutcome, ev: EngineEvent): TurnOutcome {
  switch (ev.type) {
    case 'start':
      return {
        ...t,
        turnId: ev.turnId,
        conversationId: ev.conversationId,
        model: ev.model,
        posture: ev.posture,
        mode: ev.mode,
      };
    case 'recall':
      return { ...t, recalled: ev.memories, ...(ev.recall ? { recall: ev.recall } : {}) };
    case 'loading':
      return { ...t, loading: ev.model };
    case 'thinking':
      return { ...t, loading: null, thinking: t.thinking + ev.text };
    case 'token':
      return { ...t, loading: null, reply: t.reply + ev.text };
    case 'limbic':
      return { ...t, state: ev.state };
    case 'done':
      return {
        ...t,
        reply: ev.reply,
        messageId: ev.messageId,
        mode: ev.mode,
        offline: ev.offline,
        cached: ev.cached,
        interrupted: ev.interrupted,
        truncated: ev.truncated,
        stats: ev.stats,
        hint: ev.hint ?? null,
        ended: true,
      };
    case 'error':
      return { ...t, reply: ev.partial, messageId: ev.messageId, error: ev.error, ended: true };
  }
}

/** Folds a whole turn; `onEvent` sees each event first (to stream it). */
export async function foldTurn(
  events: AsyncIterable<EngineEvent>,
  onEvent?: (ev: EngineEvent) => void,
): Promise<TurnOutcome> {
  let t = newTurnOutcome();
  for await (const ev of events) {
    onEvent?.(ev);
    t = foldTurnEvent(t, ev);
  }
  return t;
}

/** The failure of a turn that ended with `error`, with its turn, partial reply and stored message as details. */
export function turnFailure(t: TurnOutcome): ProgenyError | undefined {
  if (!t.error) return undefined;
  return ProgenyError.fromJSON({
    ...t.error,
    details: { turnId: t.turnId, partial: t.reply, messageId: t.messageId },
  });
}
