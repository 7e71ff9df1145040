/** The fake engine's scripted turns: each streams the events a real turn would, from the script it is given. */
import type { EngineEvent, Mode } from '../core/events.js';
import { defaultLimbicState, type LimbicSnapshot } from '../core/limbic/types.js';
import type { Memory } from '../core/memory/types.js';

export interface FakeTurn {
  tokens: string[];
  recalled?: string[];
  /** Delay between tokens (ms). */
  delayMs?: number;
  mode?: Mode;
  /** End with an error event instead of done. */
  error?: { code: string; message: string; hint?: string };
  /** Throw from the iterator (an engine bug or a store failure). */
  throws?: Error;
  /** Token counts the server reported. */
  usage?: { prompt: number; completion: number };
  /** What engine.mode() says once the turn ended (the model server died mid-reply, say). */
  modeAfter?: Mode;
}

export function snapshot(over: Partial<LimbicSnapshot> = {}): LimbicSnapshot {
  return { ...defaultLimbicState(0), slumber: false, crisis: false, tier: 1, version: 1, ...over };
}

export function memory(id: string, text: string): Memory {
  return {
    id,
    text,
    kind: 'fact',
    actor: 'creator',
    source: {},
    createdAt: 0,
    updatedAt: 0,
    salience: 0.5,
    pinned: false,
    status: 'active',
    mergedInto: null,
    revision: 1,
    embedder: 'test',
    recallCount: 0,
    lastRecalledAt: null,
  };
}

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });

/** What a scripted turn reads and changes on the fake engine. */
export interface TurnHost {
  turns: FakeTurn[];
  inputs: string[];
  turnInputs: unknown[];
  currentMode: Mode;
  /** The limbic snapshot state.read() answers, and the number of turns started (for turn and message ids). */
  limbic: { state: LimbicSnapshot; turnsStarted: number };
}

function recallEvent(turnId: string, recalled: string[]): EngineEvent {
  return {
    type: 'recall',
    turnId,
    memories: recalled.map((t, rank) => ({
      memory: memory(`r${rank}`, t),
      rank,
      score: { score: 0.7, similarity: 0.8, freshness: 1, salience: 0.5, mmr: 0.7 },
    })),
  };
}

// Scripted events are plain objects cast once in scriptedTurn, as the scripts carry fields looser than the engine's.
function doneEvent(host: TurnHost, script: FakeTurn, turnId: string, reply: string, interrupted: boolean): object {
  const mode = script.mode ?? 'FULL';
  return {
    type: 'done',
    turnId,
    messageId: `msg${host.limbic.turnsStarted}`,
    reply,
    interrupted,
    offline: mode === 'OFFLINE',
    cached: false,
    mode,
    stats: {
      latencyMs: 420,
      firstTokenMs: 30,
      tokens: script.tokens.length,
      tokensPerSecond: 25,
      ...(script.usage ? { promptTokens: script.usage.prompt, completionTokens: script.usage.completion } : {}),
    },
  };
}

async function* playTurn(
  host: TurnHost,
  script: FakeTurn,
  turnId: string,
  signal: AbortSignal,
): AsyncGenerator<object> {
  if (script.throws) throw script.throws;
  const mode = script.mode ?? 'FULL';
  yield { type: 'start', turnId, conversationId: 'c1', mode, posture: 'PEER', model: 'llama3.2' };
  yield recallEvent(turnId, script.recalled ?? []);
  let reply = '';
  for (const tok of script.tokens) {
    if (script.delayMs) await sleep(script.delayMs, signal);
    if (signal.aborted) break;
    reply += tok;
    yield { type: 'token', turnId, text: tok };
  }
  const state = snapshot({ warmth: 0.62, interactionCount: host.limbic.state.interactionCount + 1 });
  host.limbic.state = state;
  yield { type: 'limbic', turnId, state, changes: [] };
  if (script.modeAfter) host.currentMode = script.modeAfter;
  if (script.error) {
    yield { type: 'error', turnId, error: script.error, partial: reply, messageId: null };
    return;
  }
  yield doneEvent(host, script, turnId, reply, signal.aborted);
}

/** Takes the next script (a one-token "ok" when none is left) and plays it as a turn. */
export function scriptedTurn(
  host: TurnHost,
  input: unknown,
  opts: { signal?: AbortSignal } = {},
): AsyncIterable<EngineEvent> {
  const message = typeof input === 'string' ? input : (input as { message: string }).message;
  host.inputs.push(message);
  host.turnInputs.push(input);
  const script = host.turns.shift() ?? { tokens: ['ok'] };
  const signal = opts.signal ?? new AbortController().signal;
  const turnId = `t${++host.limbic.turnsStarted}`;
  return playTurn(host, script, turnId, signal) as AsyncIterable<EngineEvent>;
}
