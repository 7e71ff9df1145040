/**
 * Running an engine turn for a request: validated input, a controller tracked for shutdown and aborted when the
 * client goes away, and the events either streamed or folded into one result.
 */
import type { FastifyReply } from 'fastify';
import { foldTurn, turnFailure } from '../core/engine/turn-fold.js';
import type { EngineEvent, Mode, TurnStats } from '../core/events.js';
import type { RecallInfo, RecalledMemory } from '../core/memory/types.js';
import type { LimbicSnapshot } from '../core/limbic/types.js';
import type { ChatMessage } from '../core/llm/types.js';
import type { RouteContext } from './context.js';
import type { ProgenyError } from '../core/errors.js';
import type { Hint } from '../core/hints.js';

export interface ChatRequest {
  /** Absent only when continueReply is set. */
  message?: string;
  conversationId?: string;
  actor?: string;
  history?: ChatMessage[];
  /** Continue the conversation's last reply, cut at the token limit (TurnInput.continueReply). */
  continueReply?: boolean;
}

/**
 * The events of one turn; the turn is aborted when the client's connection closes before the turn ends, or when the
 * request's token is revoked or loses `chat` (the last event is then an `error` with INVALID_TOKEN or FORBIDDEN).
 */
export async function* turnEvents(
  ctx: RouteContext,
  reply: FastifyReply,
  input: ChatRequest,
): AsyncGenerator<EngineEvent> {
  const gone = new AbortController();
  // A response closed before it finished means the client went away: stop the turn (its partial reply is kept).
  const onClose = (): void => {
    if (!reply.raw.writableFinished) gone.abort();
  };
  reply.raw.once('close', onClose);
  const turn = ctx.turns.start(gone.signal);
  try {
    yield* whileAllowed(
      ctx.engine.turn({ ...input, message: input.message ?? '' }, { signal: turn.controller.signal }),
      () => ctx.recheck(reply.request, 'chat'),
      turn.controller,
    );
  } finally {
    reply.raw.off('close', onClose);
    turn.done();
  }
}

/**
 * A turn's events while the caller's token still allows the turn: a token revoked or stripped of chat mid-turn gets
 * no further event; the turn is stopped (the engine keeps its partial reply as interrupted) and its end is reported
 * as the refusal (docs/api.md, "Authentication"). Used by POST /v1/chat, the OpenAI endpoint and MCP's chat tool.
 */
export async function* whileAllowed(
  events: AsyncIterable<EngineEvent>,
  recheck: () => ProgenyError | undefined,
  controller: AbortController,
): AsyncGenerator<EngineEvent> {
  let denied: ProgenyError | undefined;
  for await (const e of events) {
    if (!denied && (denied = recheck())) controller.abort();
    if (!denied) yield e;
    else if (e.type === 'done' || e.type === 'error') {
      const partial = e.type === 'done' ? e.reply : e.partial;
      yield { type: 'error', turnId: e.turnId, error: denied.toJSON(), partial, messageId: e.messageId };
    }
  }
}

export interface TurnResult {
  turnId: string;
  conversationId: string;
  messageId: string | null;
  reply: string;
  mode: Mode;
  interrupted: boolean;
  /** The model stopped at the token limit: the reply is cut (continue it with continueReply). */
  truncated: boolean;
  /** A thinking model's reasoning, apart from the reply (absent when it did not think). */
  thinking?: string;
  offline: boolean;
  cached: boolean;
  recalled: RecalledMemory[];
  /** Whether recall used the vectors, and why not (docs/api.md); absent when nothing was recalled. */
  recall?: RecallInfo;
  state: LimbicSnapshot | null;
  stats: TurnStats | null;
  /**
   * With an OFFLINE reply: how to connect a model, beside the reply and never in it (docs/errors.md, "Hints"): plain
   * words and the actions, for the client to offer in its own way.
   */
  hint?: Hint;
}

/** Folds a whole turn into one result; an `error` event becomes a thrown ProgenyError (with the partial reply). */
export async function collectTurn(events: AsyncIterable<EngineEvent>): Promise<TurnResult> {
  const t = await foldTurn(events);
  const failure = turnFailure(t);
  if (failure) throw failure;
  return {
    turnId: t.turnId ?? '',
    conversationId: t.conversationId ?? '',
    messageId: t.messageId,
    reply: t.reply,
    mode: t.mode ?? 'FULL',
    interrupted: t.interrupted,
    truncated: t.truncated,
    ...(t.thinking ? { thinking: t.thinking } : {}),
    offline: t.offline,
    cached: t.cached,
    recalled: t.recalled ?? [],
    ...(t.recall ? { recall: t.recall } : {}),
    state: t.state,
    stats: t.stats,
    ...(t.hint ? { hint: t.hint } : {}),
  };
}
