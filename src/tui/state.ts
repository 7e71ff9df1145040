/**
 * The chat screen's state and its pure reducer. Finished entries go to `entries` (rendered once into scrollback by
 * Ink's <Static>); the streaming reply and the last reply's recalled memories live in the small live region.
 */
import { foldTurnEvent, newTurnOutcome, type TurnOutcome } from '../core/engine/turn-fold.js';
import type { EngineEvent, Mode, TurnStats } from '../core/events.js';
import type { RecalledMemory } from '../core/memory/types.js';
import type { LimbicSnapshot } from '../core/limbic/types.js';
import { cliHint } from '../commands/hints.js';

export interface RecalledLine {
  id: string;
  text: string;
  score: number;
  similarity: number;
}

export type Entry =
  | { kind: 'user'; id: string; text: string }
  | {
      kind: 'assistant';
      id: string;
      text: string;
      interrupted: boolean;
      offline: boolean;
      raw: boolean;
      /** Cut at the token limit (/continue continues it). */
      truncated?: boolean;
      /** How many words the model thought before it answered (the reasoning itself: /thinking). */
      thoughtWords?: number;
    }
  | { kind: 'recall'; id: string; memories: RecalledLine[]; expanded: boolean }
  | { kind: 'notice'; id: string; text: string; tone: 'info' | 'error'; hint?: string };

/** An entry before it gets its id (Omit distributed over the union). */
export type NewEntry = Entry extends infer E ? (E extends Entry ? Omit<E, 'id'> : never) : never;

export interface LiveTurn {
  /** The turn as the engine's events tell it (the one fold every front end uses); the fields below are its view. */
  turn: TurnOutcome;
  turnId: string | null;
  text: string;
  recalled: RecalledLine[] | null;
  startedAt: number;
  /** The model the server is loading before it answers (Ollama), until the first reasoning or token. */
  loading?: string | null;
  /** A thinking model's reasoning so far, shown collapsed (its last line) until the answer starts. */
  thinking?: string;
}

export interface StatusInfo {
  mode: Mode | 'PROBING';
  model: string | null;
  memoryCount: number | null;
  latencyMs: number | null;
  tokensPerSecond: number | null;
  /** The model's context window (config llm.contextTokens), when known. */
  contextTokens: number | null;
  /** The last reply's prompt and reply tokens as the server counted them. */
  promptTokens: number | null;
  completionTokens: number | null;
  /** Prompt and reply tokens of every reply of this session. */
  sessionTokens: number;
}

export interface ChatState {
  /** Remounts <Static> after /clear or a redraw (the screen was wiped and the conversation is printed again). */
  epoch: number;
  entries: Entry[];
  /** Entries before this index stay out of the view (a long loaded history); /export still writes them. */
  shownFrom: number;
  live: LiveTurn | null;
  /** The last reply's recalled memories, shown under it until the next turn commits them to scrollback. */
  lastRecall: { memories: RecalledLine[]; expanded: boolean } | null;
  status: StatusInfo;
  limbic: LimbicSnapshot | null;
  /** The last reply's reasoning (a thinking model), for /thinking. */
  lastThinking: string;
  raw: boolean;
  /** Set by a Ctrl+C while idle: the next Ctrl+C exits. */
  exitArmed: boolean;
  /** The OFFLINE notice last shown: said again only after a reply from a model, or when it changes. */
  offlineHint: string | null;
  seq: number;
}

export type Action =
  | { type: 'submit'; text: string; at: number }
  /** A turn that continues the last reply (no message of yours). */
  | { type: 'continue'; at: number }
  | { type: 'event'; event: EngineEvent }
  | { type: 'tokens'; text: string }
  | { type: 'notice'; text: string; tone?: 'info' | 'error'; hint?: string }
  | { type: 'status'; patch: Partial<StatusInfo> }
  | { type: 'limbic'; state: LimbicSnapshot }
  | { type: 'history'; entries: NewEntry[]; show: number }
  | { type: 'toggleRaw' }
  | { type: 'toggleRecall' }
  | { type: 'armExit'; armed: boolean }
  | { type: 'clear' }
  | { type: 'redraw' };

export function initialState(status: Partial<StatusInfo> = {}): ChatState {
  return {
    epoch: 0,
    entries: [],
    shownFrom: 0,
    live: null,
    lastRecall: null,
    status: {
      mode: 'PROBING',
      model: null,
      memoryCount: null,
      latencyMs: null,
      tokensPerSecond: null,
      contextTokens: null,
      promptTokens: null,
      completionTokens: null,
      sessionTokens: 0,
      ...status,
    },
    limbic: null,
    lastThinking: '',
    raw: false,
    exitArmed: false,
    offlineHint: null,
    seq: 0,
  };
}

const toRecalled = (memories: RecalledMemory[]): RecalledLine[] =>
  memories.map((m) => ({
    id: m.memory.id,
    text: m.memory.text,
    score: m.score.score,
    similarity: m.score.similarity,
  }));

/** Appends entries with fresh ids (React keys for <Static>). */
function push(s: ChatState, ...items: NewEntry[]): ChatState {
  let seq = s.seq;
  const added = items.map((e) => ({ ...e, id: `e${++seq}` }) as Entry);
  return { ...s, entries: s.entries.concat(added), seq };
}

/** Commits the previous reply's recall line to scrollback (in the state the user left it). */
function commitRecall(s: ChatState): ChatState {
  if (!s.lastRecall) return s;
  const next = s.lastRecall.memories.length
    ? push(s, { kind: 'recall', memories: s.lastRecall.memories, expanded: s.lastRecall.expanded })
    : s;
  return { ...next, lastRecall: null };
}

/** Token counts from a reply's stats, when the server gave them. */
function usageOf(s: StatusInfo, stats: TurnStats): Partial<StatusInfo> {
  if (stats.promptTokens === undefined && stats.completionTokens === undefined) return {};
  const prompt = stats.promptTokens ?? null;
  const completion = stats.completionTokens ?? null;
  return {
    promptTokens: prompt,
    completionTokens: completion,
    sessionTokens: s.sessionTokens + (prompt ?? 0) + (completion ?? 0),
  };
}

function finish(
  s: ChatState,
  reply: string,
  o: { interrupted: boolean; offline: boolean; stats: TurnStats | null; truncated?: boolean },
): ChatState {
  const recalled = s.live?.recalled ?? [];
  const thinking = s.live?.thinking ?? '';
  let next: ChatState = { ...s, lastThinking: thinking };
  const words = thinking.trim() ? thinking.trim().split(/\s+/).length : 0;
  // A reply cut to nothing (the model spent the limit thinking) is still shown: marked cut, it can be continued.
  if (reply || o.truncated)
    next = push(next, {
      kind: 'assistant',
      text: reply,
      interrupted: o.interrupted,
      offline: o.offline,
      raw: s.raw,
      ...(o.truncated ? { truncated: true } : {}),
      ...(words ? { thoughtWords: words } : {}),
    });
  else if (o.interrupted && o.stats)
    next = push(next, { kind: 'notice', tone: 'info', text: 'cancelled before the reply started' });
  next = { ...next, live: null, lastRecall: { memories: recalled, expanded: false } };
  // An offline reply is not generated: a tokens/s figure for it would be meaningless.
  if (o.stats)
    next = {
      ...next,
      status: {
        ...next.status,
        latencyMs: o.stats.latencyMs,
        tokensPerSecond: o.offline ? null : o.stats.tokensPerSecond,
        ...usageOf(next.status, o.stats),
      },
    };
  return next;
}

/** The live region's view of a turn. */
const liveView = (live: LiveTurn | null, turn: TurnOutcome): LiveTurn => ({
  turn,
  turnId: turn.turnId,
  text: turn.reply,
  recalled: turn.recalled && toRecalled(turn.recalled),
  startedAt: live?.startedAt ?? 0,
  loading: turn.loading,
  thinking: turn.thinking,
});

/** A turn that ended: its reply (or partial reply) to scrollback, and a failure as an error notice. */
function endTurn(s: ChatState, turn: TurnOutcome): ChatState {
  if (!turn.error) {
    const next = finish({ ...s, status: { ...s.status, mode: turn.mode ?? s.status.mode } }, turn.reply, {
      interrupted: turn.interrupted,
      offline: turn.offline,
      stats: turn.stats,
      truncated: turn.truncated,
    });
    return offlineNotice(next, turn.hint ? (cliHint(turn.hint) ?? turn.hint.text) : null);
  }
  const next = finish(s, turn.reply, { interrupted: true, offline: false, stats: null });
  const hint = cliHint(turn.error);
  return push(next, { kind: 'notice', text: turn.error.message, tone: 'error', ...(hint ? { hint } : {}) });
}

/** An OFFLINE reply's hint as a labelled notice under it, apart from the companion's words (not again and again). */
function offlineNotice(s: ChatState, hint: string | null): ChatState {
  if (hint === null || hint === s.offlineHint) return { ...s, offlineHint: hint };
  const text = 'OFFLINE: no model reachable, replies come from memory';
  return { ...push(s, { kind: 'notice', tone: 'info', text, hint }), offlineHint: hint };
}

function onEvent(s: ChatState, ev: EngineEvent): ChatState {
  const turn = foldTurnEvent(s.live?.turn ?? newTurnOutcome(), ev);
  switch (ev.type) {
    case 'start':
      return { ...s, live: liveView(s.live, turn), status: { ...s.status, mode: ev.mode, model: ev.model } };
    case 'recall':
    case 'loading':
    case 'thinking':
    case 'token':
      return s.live ? { ...s, live: liveView(s.live, turn) } : s;
    case 'limbic':
      return { ...s, limbic: ev.state };
    case 'done':
    case 'error':
      return endTurn(s, turn);
  }
}

const EMPTY_LIVE: LiveTurn = {
  turn: newTurnOutcome(),
  turnId: null,
  text: '',
  recalled: null,
  startedAt: 0,
  loading: null,
  thinking: '',
};

export function reducer(s: ChatState, a: Action): ChatState {
  switch (a.type) {
    case 'submit': {
      const next = push(commitRecall(s), { kind: 'user', text: a.text });
      return { ...next, live: liveView({ ...EMPTY_LIVE, startedAt: a.at }, newTurnOutcome()), exitArmed: false };
    }
    case 'continue':
      return {
        ...commitRecall(s),
        live: liveView({ ...EMPTY_LIVE, startedAt: a.at }, newTurnOutcome()),
        exitArmed: false,
      };
    case 'event':
      return onEvent(s, a.event);
    case 'tokens':
      return s.live && a.text
        ? { ...s, live: liveView(s.live, foldTurnEvent(s.live.turn, { type: 'token', turnId: '', text: a.text })) }
        : s;
    case 'notice':
      return {
        ...push(commitRecall(s), {
          kind: 'notice',
          text: a.text,
          tone: a.tone ?? 'info',
          ...(a.hint ? { hint: a.hint } : {}),
        }),
        exitArmed: false,
      };
    case 'status':
      return { ...s, status: { ...s.status, ...a.patch } };
    case 'limbic':
      return { ...s, limbic: a.state };
    case 'history': {
      // Scrollback gets the last `show` loaded messages; rendering thousands at start would delay the first frame.
      const hidden = Math.max(0, a.entries.length - a.show);
      const note: NewEntry[] = hidden
        ? [
            {
              kind: 'notice',
              tone: 'info',
              text: `${hidden} earlier messages not shown; /export writes the whole conversation`,
            },
          ]
        : [];
      const next = push(s, ...a.entries.slice(0, hidden), ...note, ...a.entries.slice(hidden));
      return { ...next, shownFrom: s.entries.length + hidden };
    }
    case 'toggleRaw':
      return { ...s, raw: !s.raw };
    case 'toggleRecall':
      return s.lastRecall ? { ...s, lastRecall: { ...s.lastRecall, expanded: !s.lastRecall.expanded } } : s;
    case 'armExit':
      return { ...s, exitArmed: a.armed };
    case 'clear':
      return { ...s, entries: [], shownFrom: 0, lastRecall: null, epoch: s.epoch + 1 };
    case 'redraw':
      // The screen was wiped (resize, Ctrl+L): <Static> remounts and prints the conversation again.
      return { ...s, epoch: s.epoch + 1 };
  }
}

/** True while a reply is streaming. */
export const isBusy = (s: ChatState): boolean => s.live !== null;
