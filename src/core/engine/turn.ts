/**
 * One chat turn (docs/domain.md, "The chat turn"): perceive → update limbic and choose posture → recall → assemble the
 * prompt → stream the reply (model, response cache, or OFFLINE from memory) → persist the turn and queue the exchange
 * as a memory → emit the new limbic state. Cancelling (signal, or the consumer stopping) keeps the partial reply,
 * marked interrupted; a reply the model cut at the token limit is kept marked truncated, and can be continued.
 */
import { type ProgenyError, toProgenyError, usageError } from '../errors.js';
import type { EngineEvent, Mode, TurnStats } from '../events.js';
import type { ChatRequest } from '../llm/types.js';
import { perceive } from '../limbic/perceive.js';
import { temperatureFor } from '../limbic/posture.js';
import type { LimbicChange, LimbicSnapshot } from '../limbic/types.js';
import type { RecallInfo, RecalledMemory } from '../memory/types.js';
import type { Conversation, Message, MessageStatus } from './conversations.js';
import { buildPrompt } from './prompt.js';
import { CONTINUE_INSTRUCTION, truncatedReplyOf } from './turn-continue.js';
import type { TurnDeps } from './turn-deps.js';
import { replySource, type SourceInput, type SourceOutcome } from './turn-source.js';

import type { TurnInput } from './engine.js';
export { type TurnInput } from './engine.js';

export const MAX_MESSAGE_CHARS = 32_000;

/** What a turn starts from: the message (or the continuation request), the state after it, and the conversation. */
interface TurnStart {
  message: string;
  conversation: Conversation;
  limbic: { state: LimbicSnapshot; changes: LimbicChange[] };
  /** The truncated reply this turn continues. */
  continues: Message | undefined;
}

function startTurn(deps: TurnDeps, input: TurnInput, turnId: string, actor: string): TurnStart {
  if (input.continueReply) {
    const { conversation, last } = truncatedReplyOf(deps, input.conversationId);
    return {
      message: CONTINUE_INSTRUCTION,
      conversation,
      limbic: { state: deps.limbic.read(), changes: [] },
      continues: last,
    };
  }
  const message = input.message.trim();
  if (!message) throw usageError('the message is empty');
  if (message.length > MAX_MESSAGE_CHARS)
    throw usageError(`the message is longer than ${MAX_MESSAGE_CHARS} characters`);
  const conversation = input.conversationId
    ? deps.conversations.get(input.conversationId)
    : deps.conversations.create(actor);
  // 1–2. Perceive, update limbic, choose posture.
  const limbic = deps.limbic.applyTurn(perceive(message), turnId);
  deps.notices.emit({ type: 'limbic', state: limbic.state });
  return { message, conversation, limbic, continues: undefined };
}

/** What the turn knows once it started: who, where, from which message, and the mode so far. */
interface TurnContext extends TurnStart {
  turnId: string;
  actor: string;
  t0: number;
  signal: AbortSignal | undefined;
}

/** The reply as it streams in. */
interface ReplySoFar {
  text: string;
  tokens: number;
  thinkingTokens: number;
  firstTokenMs: number | null;
  /** The stream ended on its own (not aborted, not failed). */
  finished: boolean;
  failure: ProgenyError | undefined;
}

/** How the turn ended, once the reply is stored. */
interface TurnEnd {
  messageId: string;
  status: MessageStatus;
  stats: TurnStats;
}

/** 3. Recall; a failing memory store degrades to AMNESIA (DEAD when OFFLINE too) instead of failing the turn. */
async function recallFor(
  deps: TurnDeps,
  ctx: TurnContext,
  mode: Mode,
): Promise<{ memories: RecalledMemory[]; mode: Mode; recall?: RecallInfo }> {
  // A continuation recalls nothing: the cut reply it continues is in the history.
  if (ctx.continues) return { memories: [], mode };
  try {
    // An embedder that fails does not fail the search (the words answer, `recall` says so): the store is fine.
    const { results, recall } = await deps.memory.search({ text: ctx.message, actor: ctx.actor });
    return { memories: results, mode, recall };
  } catch (err) {
    deps.reportMemoryFailure(err);
    return { memories: [], mode: mode === 'OFFLINE' ? 'DEAD' : 'AMNESIA' };
  }
}

/** 4. The prompt: the client's history (its last chat.historyTurns exchanges) or the stored conversation's. */
function requestFor(deps: TurnDeps, ctx: TurnContext, input: TurnInput, memories: RecalledMemory[]): ChatRequest {
  const turns = deps.config['chat.historyTurns'];
  const history = input.history
    ? turns > 0
      ? input.history.slice(-2 * turns)
      : []
    : deps.conversations.recentTurns(ctx.conversation.id, turns);
  // Relaxed: the durable commit of the turn's memory at its end makes this message power-safe with the reply.
  if (!ctx.continues) {
    deps.conversations.append(
      {
        conversationId: ctx.conversation.id,
        turnId: ctx.turnId,
        role: 'user',
        text: ctx.message,
        status: 'complete',
        meta: {},
      },
      { durable: false },
    );
  }
  const { state } = ctx.limbic;
  const messages = buildPrompt({ identity: deps.heritage.summary(), state, memories, history, message: ctx.message });
  return { messages, temperature: temperatureFor(state), maxTokens: deps.config['llm.maxTokens'] };
}

/** 5. Streams the reply: tokens are the reply; a loading model and thinking are reported, never part of it. */
async function* streamReply(
  deps: TurnDeps,
  ctx: TurnContext,
  source: SourceInput,
  src: SourceOutcome,
  got: ReplySoFar,
): AsyncGenerator<EngineEvent> {
  const { turnId, signal } = ctx;
  for await (const piece of replySource(deps, source, src)) {
    if (signal?.aborted) break;
    if (piece.kind === 'loading') {
      yield { type: 'loading', turnId, model: piece.model };
      continue;
    }
    if (piece.kind === 'thinking') {
      got.thinkingTokens++;
      yield { type: 'thinking', turnId, text: piece.text };
      continue;
    }
    if (got.firstTokenMs === null) got.firstTokenMs = performance.now() - ctx.t0;
    got.tokens++;
    got.text += piece.text;
    yield { type: 'token', turnId, text: piece.text };
  }
  got.finished = !signal?.aborted;
}

function statsOf(ctx: TurnContext, got: ReplySoFar, usage: SourceOutcome['usage']): TurnStats {
  const latencyMs = performance.now() - ctx.t0;
  const streamMs = got.firstTokenMs === null ? 0 : latencyMs - got.firstTokenMs;
  return {
    latencyMs,
    firstTokenMs: got.firstTokenMs,
    tokens: got.tokens,
    tokensPerSecond: streamMs > 0 && got.tokens > 1 ? (got.tokens - 1) / (streamMs / 1000) : null,
    ...(got.thinkingTokens ? { thinkingTokens: got.thinkingTokens } : {}),
    ...(usage?.promptTokens !== undefined ? { promptTokens: usage.promptTokens } : {}),
    ...(usage?.completionTokens !== undefined ? { completionTokens: usage.completionTokens } : {}),
  };
}

/**
 * 6. Persists the turn, however it ended (normally, failed, aborted, or the consumer stopped iterating): the reply or
 * partial reply with its status, the cache entry of a whole model reply, and the exchange queued as a memory.
 */
function finishTurn(
  deps: TurnDeps,
  ctx: TurnContext,
  got: ReplySoFar,
  from: { src: SourceOutcome; memories: RecalledMemory[]; cacheKey: string | undefined },
): TurnEnd {
  const { src, memories, cacheKey } = from;
  const { cached, offline } = src;
  const stats = statsOf(ctx, got, src.usage);
  const interrupted = !got.finished && !got.failure;
  const status: MessageStatus = got.failure
    ? 'error'
    : interrupted
      ? 'interrupted'
      : src.truncated
        ? 'truncated'
        : 'complete';
  // A continuation adds no new exchange, so no memory commit follows: its reply is durable on its own.
  const remember = !ctx.continues;
  const saved = deps.conversations.append(
    {
      conversationId: ctx.conversation.id,
      turnId: ctx.turnId,
      role: 'assistant',
      text: got.text,
      status,
      meta: {
        mode: src.mode,
        offline,
        cached,
        posture: ctx.limbic.state.posture,
        recalled: memories.map((m) => ({ id: m.memory.id, score: m.score.score })),
        stats,
        ...(ctx.continues ? { continues: ctx.continues.id } : {}),
      },
    },
    { durable: !remember },
  );
  // Only a whole reply with words in it is worth replaying: never a cut, interrupted, failed or empty one.
  if (status === 'complete' && got.text.trim() !== '' && !offline && !cached && cacheKey !== undefined)
    deps.cache?.set(cacheKey, { text: got.text });
  // Offline replies only echo memories, so only the message is kept.
  if (remember) {
    const memoryText = offline || !got.text ? ctx.message : `${ctx.message}\n— ${got.text.slice(0, 600)}`;
    deps.memory
      .enqueue({
        text: memoryText,
        kind: 'interaction',
        actor: ctx.actor,
        source: { conversation: ctx.conversation.id, turn: ctx.turnId, via: 'chat' },
      })
      .catch((err: unknown) => deps.reportMemoryFailure(err));
    // One fsync a turn: the exchange's memory is written now rather than after memory.batch.ms, and its durable
    // commit also makes the user's message and the reply (both committed relaxed) power-safe, since the WAL is a log
    // (docs/performance.md, "Commits and fsync"). Not awaited: the write may reach a Qdrant store too.
    void deps.memory.flush();
  }
  deps.observeTurn(stats, status, { cached, offline });
  return { messageId: saved.id, status, stats };
}

export async function* runTurn(deps: TurnDeps, input: TurnInput, signal?: AbortSignal): AsyncGenerator<EngineEvent> {
  const t0 = performance.now();
  const turnId = deps.ids(deps.clock.now());
  const actor = input.actor ?? 'creator';
  const ctx: TurnContext = { ...startTurn(deps, input, turnId, actor), turnId, actor, t0, signal };
  const { conversation, limbic, continues } = ctx;

  const startMode = await deps.refreshMode(signal);
  yield {
    type: 'start',
    turnId,
    conversationId: conversation.id,
    mode: startMode,
    posture: limbic.state.posture,
    model: deps.llm?.model ?? null,
    ...(continues ? { continues: continues.id } : {}),
  };
  const { memories, mode, recall } = await recallFor(deps, ctx, startMode);
  yield { type: 'recall', turnId, memories, ...(recall ? { recall } : {}) };

  const request = requestFor(deps, ctx, input, memories);
  const cacheKey = deps.llm && deps.cache ? deps.cache.keyFor(deps.llm, request) : undefined;
  const src: SourceOutcome = { mode, cached: false, offline: false, truncated: false, tokens: 0, usage: undefined };
  const got: ReplySoFar = {
    text: '',
    tokens: 0,
    thinkingTokens: 0,
    firstTokenMs: null,
    finished: false,
    failure: undefined,
  };
  let end: TurnEnd | undefined;
  try {
    yield* streamReply(deps, ctx, { request, cacheKey, memories, posture: limbic.state.posture, signal }, src, got);
  } catch (err) {
    const e = toProgenyError(err);
    if (e.code !== 'INTERRUPTED' && !signal?.aborted) got.failure = e;
  } finally {
    // Runs on normal end, on error, on abort and when the consumer stops iterating: the partial reply is kept.
    end = finishTurn(deps, ctx, got, { src, memories, cacheKey });
  }
  yield { type: 'limbic', turnId, state: deps.limbic.read(), changes: limbic.changes };
  if (got.failure) {
    yield { type: 'error', turnId, error: got.failure.toJSON(), partial: got.text, messageId: end.messageId };
    return;
  }
  yield {
    type: 'done',
    turnId,
    messageId: end.messageId,
    reply: got.text,
    interrupted: end.status === 'interrupted',
    truncated: end.status === 'truncated',
    offline: src.offline,
    cached: src.cached,
    mode: src.mode,
    stats: end.stats,
    // What the person can do about an OFFLINE reply, apart from the companion's words (docs/errors.md, "Hints").
    ...(src.offline ? { hint: deps.offlineHint() } : {}),
  };
}
