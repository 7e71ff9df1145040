/**
 * The chat screen's state and its pure reducer. Finished entries go to `entries` (rendered once into scrollback by
 * Ink's <Static>); the streaming reply and the last reply's recalled memories live in the small live region.
 */
import type { EngineEvent, Mode, TurnStats } from '../core/events.js';
import type { LimbicSnapshot } from '../core/limbic/types.js';

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
  raw: boolean;
  /** The last reply's reasoning (a thinking model), for /thinking. */
  lastThinking: string;
  /** Set by a Ctrl+C while idle: the next Ctrl+C exits. */
  exitArmed: boolean;
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
    seq: 0,
  };
}

const toRecalled = (ev: Extract<EngineEvent, { type: 'recall' }>): RecalledLine[] =>
  ev.memories.map((m) => ({
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

function onEvent(s: ChatState, ev: EngineEvent): ChatState {
  switch (ev.type) {
    case 'start':
      return {
        ...s,
        live: { ...(s.live ?? { text: '', recalled: null, startedAt: 0 }), turnId: ev.turnId },
        status: { ...s.status, mode: ev.mode, model: ev.model },
      };
    case 'recall':
      return s.live ? { ...s, live: { ...s.live, recalled: toRecalled(ev) } } : s;
    case 'token':
      return s.live ? { ...s, live: { ...s.live, text: s.live.text + ev.text, loading: null } } : s;
    case 'loading':
      return s.live ? { ...s, live: { ...s.live, loading: ev.model } } : s;
    case 'thinking':
      return s.live ? { ...s, live: { ...s.live, loading: null, thinking: (s.live.thinking ?? '') + ev.text } } : s;
    case 'limbic':
      return { ...s, limbic: ev.state };
    case 'done':
      return finish({ ...s, status: { ...s.status, mode: ev.mode } }, ev.reply, {
        interrupted: ev.interrupted,
        offline: ev.offline,
        stats: ev.stats,
        truncated: ev.truncated,
      });
    case 'error': {
      const next = finish(s, ev.partial, { interrupted: true, offline: false, stats: null });
      return push(next, {
        kind: 'notice',
        text: ev.error.message,
        tone: 'error',
        ...(ev.error.hint ? { hint: ev.error.hint } : {}),
      });
    }
  }
}

export function reducer(s: ChatState, a: Action): ChatState {
  switch (a.type) {
    case 'submit': {
      const next = push(commitRecall(s), { kind: 'user', text: a.text });
      return { ...next, live: { turnId: null, text: '', recalled: null, startedAt: a.at }, exitArmed: false };
    }
    case 'continue':
      return {
        ...commitRecall(s),
        live: { turnId: null, text: '', recalled: null, startedAt: a.at },
        exitArmed: false,
      };
    case 'event':
      return onEvent(s, a.event);
    case 'tokens':
      return s.live && a.text ? { ...s, live: { ...s.live, text: s.live.text + a.text } } : s;
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
