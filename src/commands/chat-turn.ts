/** One headless chat turn: streams the reply (text, or NDJSON events) and sums it up for --json. */
import { ProgenyError, interrupted } from '../core/errors.js';
import type { Engine } from '../core/engine/engine.js';
import { offlineHintFor } from '../core/engine/create.js';
import type { EngineEvent, Mode } from '../core/events.js';
import type { LimbicSnapshot } from '../core/limbic/types.js';
import type { CommandContext } from './context.js';

export interface ChatSession {
  conversationId: string | undefined;
  mode: Mode;
  warnedOffline: boolean;
  requireModel: boolean;
  /** False when the model probe was left to run in the background (the TUI shows its first frame first). */
  probed?: boolean;
}

export interface TurnSummary {
  conversationId: string;
  turnId: string;
  messageId: string;
  reply: string;
  mode: Mode;
  offline: boolean;
  cached: boolean;
  interrupted: boolean;
  /** The model stopped at llm.maxTokens: the reply is cut (`chat --continue-reply` continues it). */
  truncated: boolean;
  /** A thinking model's reasoning, kept apart from the reply (absent when it did not think). */
  thinking?: string;
  recalled: { id: string; text: string; score: number; similarity: number }[];
  state: LimbicSnapshot | null;
  stats: Extract<EngineEvent, { type: 'done' }>['stats'] | null;
}

export async function prepareChat(
  ctx: CommandContext,
  engine: Engine,
  opts: Record<string, unknown>,
  o: { probe?: boolean } = {},
): Promise<ChatSession> {
  let conversationId: string | undefined;
  if (typeof opts.conversation === 'string') conversationId = engine.conversations.get(opts.conversation).id;
  else if (opts.continue || opts.continueReply) conversationId = engine.conversations.latest('creator')?.id;
  if (o.probe === false && !opts.requireModel) {
    return { conversationId, mode: engine.mode(), warnedOffline: false, requireModel: false, probed: false };
  }
  const report = await engine.probe(ctx.signal);
  if (report.mode === 'OFFLINE' && opts.requireModel) {
    throw new ProgenyError('LLM_UNREACHABLE', `no model reachable: ${report.llm.detail}`, {
      hint: offlineHintFor(engine.config),
    });
  }
  return {
    conversationId,
    mode: report.mode,
    warnedOffline: false,
    requireModel: opts.requireModel === true,
    probed: true,
  };
}

export async function runHeadlessTurn(
  ctx: CommandContext,
  engine: Engine,
  session: ChatSession,
  message: string,
  o: { stream: boolean; continueReply?: boolean },
): Promise<TurnSummary> {
  const summary: TurnSummary = {
    conversationId: '',
    turnId: '',
    messageId: '',
    reply: '',
    mode: session.mode,
    offline: false,
    cached: false,
    interrupted: false,
    truncated: false,
    recalled: [],
    state: null,
    stats: null,
  };
  let failure: ProgenyError | undefined;
  let thinking = '';
  const human = !o.stream && !ctx.globals.json;
  const input = {
    message,
    ...(session.conversationId ? { conversationId: session.conversationId } : {}),
    ...(o.continueReply ? { continueReply: true } : {}),
  };
  for await (const ev of engine.turn(input, { signal: ctx.signal })) {
    if (o.stream) ctx.out.event(ev);
    switch (ev.type) {
      case 'start':
        session.conversationId = ev.conversationId;
        Object.assign(summary, { conversationId: ev.conversationId, turnId: ev.turnId, mode: ev.mode });
        break;
      case 'recall':
        summary.recalled = ev.memories.map((m) => ({
          id: m.memory.id,
          text: m.memory.text,
          score: m.score.score,
          similarity: m.score.similarity,
        }));
        break;
      case 'loading':
        if (human) ctx.out.notice(`loading model ${ev.model}… (up to llm.loadTimeoutMs)`);
        break;
      case 'thinking':
        if (human && !thinking) ctx.out.notice('thinking…');
        thinking += ev.text;
        break;
      case 'token':
        if (human) ctx.out.write(ev.text);
        break;
      case 'limbic':
        summary.state = ev.state;
        break;
      case 'done':
        Object.assign(summary, {
          messageId: ev.messageId,
          reply: ev.reply,
          mode: ev.mode,
          offline: ev.offline,
          cached: ev.cached,
          interrupted: ev.interrupted,
          truncated: ev.truncated,
          stats: ev.stats,
        });
        break;
      case 'error':
        failure = ProgenyError.fromJSON(ev.error);
        summary.reply = ev.partial;
        break;
    }
  }
  if (!o.stream && !ctx.globals.json && (summary.reply || failure))
    ctx.out.write(summary.reply.endsWith('\n') ? '' : '\n');
  if (summary.offline && !session.warnedOffline) {
    session.warnedOffline = true;
    ctx.out.warn('OFFLINE: no model reachable, the reply comes from memory only', offlineHintFor(engine.config));
  }
  if (thinking) summary.thinking = thinking;
  if (summary.truncated && !o.stream) {
    ctx.out.warn(
      `the reply was cut at the token limit (llm.maxTokens ${engine.config['llm.maxTokens']})`,
      'continue it with `progeny chat --continue-reply`, or raise llm.maxTokens',
    );
  }
  if (failure) throw failure;
  if (summary.interrupted) throw interrupted('interrupted; the partial reply was kept');
  return summary;
}
