/** One headless chat turn: streams the reply (text, or NDJSON events) and sums it up for --json. */
import { hintOptions, ProgenyError, interrupted } from '../core/errors.js';
import { foldTurn, turnFailure, type TurnOutcome } from '../core/engine/turn-fold.js';
import type { Engine } from '../core/engine/engine.js';
import { offlineHint } from '../core/engine/offline-reply.js';
import type { Mode, TurnStats } from '../core/events.js';
import type { LimbicSnapshot } from '../core/limbic/types.js';
import type { RecallInfo } from '../core/memory/types.js';
import type { CommandContext } from './context.js';
import { cliHint } from './hints.js';

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
  /** Whether recall used the vectors, and why not (docs/memory-recall.md); absent when nothing was recalled. */
  recall?: RecallInfo;
  state: LimbicSnapshot | null;
  stats: TurnStats | null;
  /** With an OFFLINE reply: how to connect a model, in the CLI's words (never part of the reply). */
  hint?: string;
}

/** The `--json` summary of a turn. */
function summaryOf(t: TurnOutcome, mode: Mode): TurnSummary {
  return {
    conversationId: t.conversationId ?? '',
    turnId: t.turnId ?? '',
    messageId: t.messageId ?? '',
    reply: t.reply,
    mode: t.mode ?? mode,
    offline: t.offline,
    cached: t.cached,
    interrupted: t.interrupted,
    truncated: t.truncated,
    ...(t.thinking ? { thinking: t.thinking } : {}),
    ...(t.hint ? { hint: cliHint(t.hint) ?? t.hint.text } : {}),
    recalled: (t.recalled ?? []).map((m) => ({
      id: m.memory.id,
      text: m.memory.text,
      score: m.score.score,
      similarity: m.score.similarity,
    })),
    ...(t.recall ? { recall: t.recall } : {}),
    state: t.state,
    stats: t.stats,
  };
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
    throw new ProgenyError(
      'LLM_UNREACHABLE',
      `no model reachable: ${report.llm.detail}`,
      hintOptions(offlineHint(engine.config)),
    );
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
  const human = !o.stream && !ctx.globals.json;
  let thought = false;
  const input = {
    message,
    ...(session.conversationId ? { conversationId: session.conversationId } : {}),
    ...(o.continueReply ? { continueReply: true } : {}),
  };
  const turn = await foldTurn(engine.turn(input, { signal: ctx.signal }), (ev) => {
    if (o.stream) ctx.out.event(ev);
    else if (ev.type === 'token' && human) ctx.out.write(ev.text);
    // A loading model or a thinking one can keep the reply from starting for a while: say why on stderr.
    else if (ev.type === 'loading' && human) ctx.out.notice(`loading model ${ev.model}… (up to llm.loadTimeoutMs)`);
    else if (ev.type === 'thinking' && human && !thought) ctx.out.notice('thinking…');
    if (ev.type === 'thinking') thought = true;
    if (ev.type === 'start') session.conversationId = ev.conversationId;
  });
  const summary = summaryOf(turn, session.mode);
  const failure = turnFailure(turn);
  if (!o.stream && !ctx.globals.json && (summary.reply || failure))
    ctx.out.write(summary.reply.endsWith('\n') ? '' : '\n');
  if (summary.offline && !session.warnedOffline) {
    session.warnedOffline = true;
    ctx.out.warn('OFFLINE: no model reachable, the reply comes from memory only', summary.hint);
  }
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
