/**
 * One chat turn (docs/domain.md, "The chat turn"): perceive → update limbic and choose posture → recall → assemble the
 * prompt → stream the reply (model, response cache, or OFFLINE from memory) → persist the turn and queue the exchange
 * as a memory → emit the new limbic state. Cancelling (signal, or the consumer stopping) keeps the partial reply,
 * marked interrupted.
 */
import { ProgenyError, toProgenyError, usageError } from '../errors.js';
import type { EngineEvent, Mode, TurnStats } from '../events.js';
import { perceive } from '../limbic/perceive.js';
import { temperatureFor } from '../limbic/posture.js';
import type { TokenUsage } from '../llm/types.js';
import type { RecalledMemory } from '../memory/types.js';
import type { MessageStatus } from './conversations.js';
import { buildPrompt } from './prompt.js';
import { chunkReply, offlineReply } from './offline-reply.js';
import type { TurnDeps } from './turn-deps.js';
import type { TurnInput } from './engine.js';
export { type TurnInput } from './engine.js';

export const MAX_MESSAGE_CHARS = 32_000;
const UNAVAILABLE = new Set(['LLM_UNREACHABLE', 'LLM_AUTH', 'LLM_MODEL_MISSING']);

export async function* runTurn(deps: TurnDeps, input: TurnInput, signal?: AbortSignal): AsyncGenerator<EngineEvent> {
  const message = input.message.trim();
  if (!message) throw usageError('the message is empty');
  if (message.length > MAX_MESSAGE_CHARS)
    throw usageError(`the message is longer than ${MAX_MESSAGE_CHARS} characters`);
  const t0 = performance.now();
  const turnId = deps.ids(deps.clock.now());
  const actor = input.actor ?? 'creator';
  const conversation = input.conversationId
    ? deps.conversations.get(input.conversationId)
    : deps.conversations.create(actor);

  // 1–2. Perceive, update limbic, choose posture.
  const perception = perceive(message);
  const limbic = deps.limbic.applyTurn(perception, turnId);
  deps.notices.emit({ type: 'limbic', state: limbic.state });

  let mode: Mode = await deps.refreshMode(signal);
  yield {
    type: 'start',
    turnId,
    conversationId: conversation.id,
    mode,
    posture: limbic.state.posture,
    model: deps.llm?.model ?? null,
  };

  // 3. Recall; a failing memory store degrades to AMNESIA instead of failing the turn.
  let memories: RecalledMemory[] = [];
  try {
    memories = await deps.memory.recall({ text: message, actor });
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
  deps.conversations.append(
    { conversationId: conversation.id, turnId, role: 'user', text: message, status: 'complete', meta: {} },
    { durable: false },
  );

  // 4. Prompt.
  const messages = buildPrompt({ identity: deps.heritage.summary(), state: limbic.state, memories, history, message });
  const request = { messages, temperature: temperatureFor(limbic.state), maxTokens: deps.config['llm.maxTokens'] };

  // 5. Stream.
  let reply = '';
  let tokens = 0;
  let firstTokenMs: number | null = null;
  let usage: TokenUsage | undefined;
  let cached = false;
  let offline = false;
  let failure: ProgenyError | undefined;
  let finished = false;
  let end: { messageId: string; status: MessageStatus; stats: TurnStats } | undefined;
  const cacheKey = deps.llm && deps.cache ? deps.cache.keyFor(deps.llm, request) : undefined;

  const source = async function* (): AsyncGenerator<string> {
    const hit = cacheKey !== undefined ? deps.cache?.get(cacheKey) : undefined;
    if (deps.llm && mode !== 'OFFLINE' && mode !== 'DEAD' && hit !== undefined) {
      cached = true;
      yield* chunkReply(hit.text);
      return;
    }
    if (deps.llm && mode !== 'OFFLINE' && mode !== 'DEAD') {
      try {
        for await (const chunk of deps.llm.chat({ ...request, ...(signal ? { signal } : {}) })) {
          if (chunk.type === 'token') yield chunk.text;
          else usage = chunk.usage;
        }
        deps.reportLlmSuccess();
        return;
      } catch (err) {
        const e = toProgenyError(err);
        if (e.code !== 'INTERRUPTED') deps.reportLlmFailure(e);
        // A model that cannot serve us (unreachable, bad key, not pulled) before any token: answer OFFLINE, as if
        // the probe had said so. A model that misbehaves (timeout, cut or malformed stream) is an error.
        if (tokens > 0 || !UNAVAILABLE.has(e.code)) throw e;
        mode = mode === 'AMNESIA' ? 'DEAD' : 'OFFLINE';
      }
    }
    if (mode === 'DEAD') {
      throw new ProgenyError('DEAD', 'neither a model nor the memory store is reachable', {
        hint: deps.offlineHint(),
      });
    }
    offline = true;
    yield* chunkReply(offlineReply(memories, limbic.state.posture, deps.offlineHint()));
  };

  try {
    for await (const text of source()) {
      if (signal?.aborted) break;
      if (firstTokenMs === null) firstTokenMs = performance.now() - t0;
      tokens++;
      reply += text;
      yield { type: 'token', turnId, text };
    }
    finished = !signal?.aborted;
  } catch (err) {
    const e = toProgenyError(err);
    if (e.code !== 'INTERRUPTED' && !signal?.aborted) failure = e;
  } finally {
    // Runs on normal end, on error, on abort and when the consumer stops iterating: the partial reply is kept.
    const interrupted = !finished && !failure;
    const latencyMs = performance.now() - t0;
    const streamMs = firstTokenMs === null ? 0 : latencyMs - firstTokenMs;
    const stats = {
      latencyMs,
      firstTokenMs,
      tokens,
      tokensPerSecond: streamMs > 0 && tokens > 1 ? (tokens - 1) / (streamMs / 1000) : null,
      ...(usage?.promptTokens !== undefined ? { promptTokens: usage.promptTokens } : {}),
      ...(usage?.completionTokens !== undefined ? { completionTokens: usage.completionTokens } : {}),
    };
    const status: MessageStatus = failure ? 'error' : interrupted ? 'interrupted' : 'complete';
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
      },
    });
    if (status === 'complete' && !offline && !cached && cacheKey !== undefined)
      deps.cache?.set(cacheKey, { text: reply });
    // 6. Queue the exchange as a memory (offline replies only echo memories, so only the message is kept).
    const memoryText = offline || !reply ? message : `${message}\n— ${reply.slice(0, 600)}`;
    deps.memory
      .enqueue({
        text: memoryText,
        kind: 'interaction',
        actor,
        source: { conversation: conversation.id, turn: turnId, via: 'chat' },
      })
      .catch((err: unknown) => deps.reportMemoryFailure(err));
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
    offline,
    cached,
    mode,
    stats: end.stats,
  };
}
