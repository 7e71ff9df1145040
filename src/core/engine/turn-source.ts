/**
 * Where a turn's reply comes from (docs/domain.md, "The chat turn", step 5): the response cache on an exact hit, the
 * model, or memory when the model cannot serve (OFFLINE). Besides the reply's words the model may say that it is
 * loading first and stream its reasoning ("thinking") before the answer; neither is part of the reply.
 */
import { hintOptions, ProgenyError, toProgenyError } from '../errors.js';
import type { Mode } from '../events.js';
import type { ChatRequest, TokenUsage } from '../llm/types.js';
import type { Posture } from '../limbic/types.js';
import type { RecalledMemory } from '../memory/types.js';
import { chunkReply, offlineReply } from './offline-reply.js';
import type { TurnDeps } from './turn-deps.js';

export type ReplyPiece =
  { kind: 'token'; text: string } | { kind: 'thinking'; text: string } | { kind: 'loading'; model: string };

/** What the source found out while it ran, read by the turn once the source ended. */
export interface SourceOutcome {
  mode: Mode;
  cached: boolean;
  offline: boolean;
  /** The model stopped at the token limit (done_reason / finish_reason "length"). */
  truncated: boolean;
  /** Reply tokens handed out so far (a model failure after the first one is an error, not OFFLINE). */
  tokens: number;
  /** The token counts the model server reported with its final message. */
  usage: TokenUsage | undefined;
}

const UNAVAILABLE = new Set(['LLM_UNREACHABLE', 'LLM_AUTH', 'LLM_MODEL_MISSING']);

export interface SourceInput {
  request: ChatRequest;
  cacheKey: string | undefined;
  memories: RecalledMemory[];
  posture: Posture;
  signal: AbortSignal | undefined;
}

export async function* replySource(deps: TurnDeps, input: SourceInput, out: SourceOutcome): AsyncGenerator<ReplyPiece> {
  const live = (): boolean => deps.llm !== null && out.mode !== 'OFFLINE' && out.mode !== 'DEAD';
  const hit = input.cacheKey !== undefined ? deps.cache?.get(input.cacheKey) : undefined;
  if (live() && hit !== undefined) {
    out.cached = true;
    for (const text of chunkReply(hit.text)) yield { kind: 'token', text };
    return;
  }
  if (live() && deps.llm) {
    try {
      const signal = input.signal;
      for await (const chunk of deps.llm.chat({ ...input.request, ...(signal ? { signal } : {}) })) {
        if (chunk.type === 'done') {
          out.truncated = chunk.finishReason === 'length';
          out.usage = chunk.usage;
        } else if (chunk.type === 'loading') yield { kind: 'loading', model: chunk.model };
        else {
          if (chunk.type === 'token') out.tokens++;
          yield { kind: chunk.type, text: chunk.text };
        }
      }
      deps.reportLlmSuccess();
      return;
    } catch (err) {
      const e = toProgenyError(err);
      if (e.code !== 'INTERRUPTED') deps.reportLlmFailure(e);
      // A model that cannot serve us (unreachable, bad key, not pulled) before any token: answer OFFLINE, as if
      // the probe had said so. A model that misbehaves (timeout, cut or malformed stream) is an error.
      if (out.tokens > 0 || !UNAVAILABLE.has(e.code)) throw e;
      out.mode = out.mode === 'AMNESIA' ? 'DEAD' : 'OFFLINE';
    }
  }
  if (out.mode === 'DEAD') {
    throw new ProgenyError(
      'DEAD',
      'neither a model nor the memory store is reachable',
      hintOptions(deps.offlineHint()),
    );
  }
  out.offline = true;
  for (const text of chunkReply(offlineReply(input.memories, input.posture))) yield { kind: 'token', text };
}
