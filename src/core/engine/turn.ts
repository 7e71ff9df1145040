/**
 * One chat turn (docs/domain.md, "The chat turn"): perceive → update limbic and choose posture → recall → assemble the
 * prompt → stream the reply (model, response cache, or OFFLINE from memory) → persist the turn and queue the exchange
 * as a memory → emit the new limbic state. Cancelling (signal, or the consumer stopping) keeps the partial reply,
 * marked interrupted; a reply the model cut at the token limit is kept marked truncated, and can be continued.
 */
import { type ProgenyError, toProgenyError, usageError } from '../errors.js';
import type { EngineEvent, Mode, TurnStats } from '../events.js';
import { perceive } from '../limbic/perceive.js';
import { temperatureFor } from '../limbic/posture.js';
import type { LimbicChange, LimbicSnapshot } from '../limbic/types.js';
import type { RecalledMemory } from '../memory/types.js';
import type { Conversation, Message, MessageStatus } from './conversations.js';
import { buildPrompt } from './prompt.js';
import { CONTINUE_INSTRUCTION, truncatedReplyOf } from './turn-continue.js';
import type { TurnDeps } from './turn-deps.js';
import { replySource, type SourceOutcome } from './turn-source.js';

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

export async function* runTurn(deps: TurnDeps, input: TurnInput, signal?: AbortSignal): AsyncGenerator<EngineEvent> {
  const t0 = performance.now();
  const turnId = deps.ids(deps.clock.now());
  const actor = input.actor ?? 'creator';
  const { message, conversation, limbic, continues } = startTurn(deps, input, turnId, actor);

  let mode: Mode = await deps.refreshMode(signal);
  yield {
    type: 'start',
    turnId,
    conversationId: conversation.id,
    mode,
    posture: limbic.state.posture,
    model: deps.llm?.model ?? null,
    ...(continues ? { continues: continues.id } : {}),
  };

  // 3. Recall; a failing memory store degrades to AMNESIA instead of failing the turn. A continuation recalls
  // nothing: the cut reply it continues is in the history.
  let memories: RecalledMemory[] = [];
  try {
    if (!continues) memories = await deps.memory.recall({ text: message, actor });
  } catch (err) {
    deps.reportMemoryFailure(err);
    mode = mode === 'OFFLINE' ? 'DEAD' : 'AMNESIA';
  }
  yield { type: 'recall', turnId, memories };

  const turns = deps.config['chat.historyTurns'];
  const history = input.history
    ? turns > 0
      ? input.history.slice(-2 * turns)
      : []
    : deps.conversations.recentTurns(conversation.id, turns);
  // Acknowledged with the reply: the reply's durable commit at the end of the turn also makes this one power-safe.
  if (!continues) {
    deps.conversations.append(
      { conversationId: conversation.id, turnId, role: 'user', text: message, status: 'complete', meta: {} },
      { durable: false },
    );
  }

  // 4. Prompt.
  const messages = buildPrompt({ identity: deps.heritage.summary(), state: limbic.state, memories, history, message });
  const request = { messages, temperature: temperatureFor(limbic.state), maxTokens: deps.config['llm.maxTokens'] };

  // 5. Stream: tokens are the reply; a loading model and thinking are reported, never part of it.
  let reply = '';
  let tokens = 0;
  let thinkingTokens = 0;
  let firstTokenMs: number | null = null;
  let failure: ProgenyError | undefined;
  let finished = false;
  let end: { messageId: string; status: MessageStatus; stats: TurnStats } | undefined;
  const cacheKey = deps.llm && deps.cache ? deps.cache.keyFor(deps.llm, request) : undefined;
  const src: SourceOutcome = { mode, cached: false, offline: false, truncated: false, tokens: 0, usage: undefined };
  const input5 = { request, cacheKey, memories, posture: limbic.state.posture, signal };

  try {
    for await (const piece of replySource(deps, input5, src)) {
      if (signal?.aborted) break;
      if (piece.kind === 'loading') {
        yield { type: 'loading', turnId, model: piece.model };
        continue;
      }
      if (piece.kind === 'thinking') {
        thinkingTokens++;
        yield { type: 'thinking', turnId, text: piece.text };
        continue;
      }
      if (firstTokenMs === null) firstTokenMs = performance.now() - t0;
      tokens++;
      reply += piece.text;
      yield { type: 'token', turnId, text: piece.text };
    }
    finished = !signal?.aborted;
  } catch (err) {
    const e = toProgenyError(err);
    if (e.code !== 'INTERRUPTED' && !signal?.aborted) failure = e;
  } finally {
    // Runs on normal end, on error, on abort and when the consumer stops iterating: the partial reply is kept.
    mode = src.mode;
    const { cached, offline } = src;
    const interrupted = !finished && !failure;
    const latencyMs = performance.now() - t0;
    const streamMs = firstTokenMs === null ? 0 : latencyMs - firstTokenMs;
    const stats: TurnStats = {
      latencyMs,
      firstTokenMs,
      tokens,
      tokensPerSecond: streamMs > 0 && tokens > 1 ? (tokens - 1) / (streamMs / 1000) : null,
      ...(thinkingTokens ? { thinkingTokens } : {}),
      ...(src.usage?.promptTokens !== undefined ? { promptTokens: src.usage.promptTokens } : {}),
      ...(src.usage?.completionTokens !== undefined ? { completionTokens: src.usage.completionTokens } : {}),
    };
    const status: MessageStatus = failure
      ? 'error'
      : interrupted
        ? 'interrupted'
        : src.truncated
          ? 'truncated'
          : 'complete';
    const saved = deps.conversations.append({
      conversationId: conversation.id,
      turnId,
      role: 'assistant',
      text: reply,
      status,
      meta: {
        mode,
        offline,
        cached,
        posture: limbic.state.posture,
        recalled: memories.map((m) => ({ id: m.memory.id, score: m.score.score })),
        stats,
        ...(continues ? { continues: continues.id } : {}),
      },
    });
    // Only a whole reply with words in it is worth replaying: never a cut, interrupted, failed or empty one.
    if (status === 'complete' && reply.trim() !== '' && !offline && !cached && cacheKey !== undefined)
      deps.cache?.set(cacheKey, { text: reply });
    // 6. Queue the exchange as a memory (offline replies only echo memories, so only the message is kept; a
    // continuation adds no new exchange).
    if (!continues) {
      const memoryText = offline || !reply ? message : `${message}\n— ${reply.slice(0, 600)}`;
      deps.memory
        .enqueue({
          text: memoryText,
          kind: 'interaction',
          actor,
          source: { conversation: conversation.id, turn: turnId, via: 'chat' },
        })
        .catch((err: unknown) => deps.reportMemoryFailure(err));
    }
    deps.observeTurn(stats, status, { cached, offline });
    end = { messageId: saved.id, status, stats };
  }
  yield { type: 'limbic', turnId, state: deps.limbic.read(), changes: limbic.changes };
  if (failure) {
    yield { type: 'error', turnId, error: failure.toJSON(), partial: reply, messageId: end.messageId };
    return;
  }
  yield {
    type: 'done',
    turnId,
    messageId: end.messageId,
    reply,
    interrupted: end.status === 'interrupted',
    truncated: end.status === 'truncated',
    offline: src.offline,
    cached: src.cached,
    mode,
    stats: end.stats,
    // What the person can do about an OFFLINE reply, apart from the companion's words (docs/errors.md, "Hints").
    ...(src.offline ? { hint: deps.offlineHint() } : {}),
  };
}
