/** A scripted stand-in for the Engine, for the TUI's component tests: turns stream the tokens they are given. */
import { notFound } from '../core/errors.js';
import type { EngineEvent, EngineNotice, Mode } from '../core/events.js';
import { defaultLimbicState, type LimbicSnapshot } from '../core/limbic/types.js';
import type { LimbicLogEntry } from '../core/limbic/service.js';
import type { Memory } from '../core/memory/types.js';
import type { ChatEngine } from '../tui/engine-port.js';

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

export interface FakeEngine extends ChatEngine {
  turns: FakeTurn[];
  inputs: string[];
  /** The full turn inputs (history included when the screen sends one). */
  turnInputs: unknown[];
  /** The mode engine.mode() answers (tests change it to simulate a server that died or came back). */
  currentMode: Mode;
  probes: number;
  model: string;
  memories: Memory[];
  emit(n: EngineNotice): void;
}

export type WhyEntry = LimbicLogEntry;

export function fakeEngine(
  o: {
    turns?: FakeTurn[];
    memories?: Memory[];
    provider?: string;
    home?: string;
    why?: WhyEntry[];
    models?: string[];
    conversations?: {
      id: string;
      title: string;
      updatedAt: number;
      messages: { role: 'user' | 'assistant'; text: string }[];
    }[];
    mode?: Mode;
  } = {},
): FakeEngine {
  const subscribers = new Set<(n: EngineNotice) => void>();
  let state = snapshot();
  let n = 0;
  const fake = {
    turns: o.turns ?? [],
    inputs: [] as string[],
    turnInputs: [] as unknown[],
    currentMode: o.mode ?? ('FULL' as Mode),
    probes: 0,
    model: 'llama3.2',
    memories: o.memories ?? [],
    emit: (x: EngineNotice) => subscribers.forEach((f) => f(x)),
    config: { 'llm.provider': o.provider ?? 'ollama', 'llm.model': 'llama3.2', 'ui.theme': 'auto' },
    paths: {
      home: o.home ?? '/tmp',
      chatHistory: `${o.home ?? '/tmp'}/chat-history.jsonl`,
      exports: `${o.home ?? '/tmp'}/exports`,
    },
    mode: () => fake.currentMode,
    probe: async () => {
      fake.probes++;
      return {
        mode: fake.currentMode,
        llm: { ok: fake.currentMode === 'FULL', detail: fake.currentMode === 'FULL' ? 'ok' : 'connection refused' },
        memory: { ok: true, backend: 'embedded', detail: '' },
      };
    },
    models: async () => ({ current: fake.model, available: o.models ?? [], detail: 'ok' }),
    useModel: (m: string) => {
      fake.model = m;
    },
    subscribe(fn: (n: EngineNotice) => void) {
      subscribers.add(fn);
      return () => void subscribers.delete(fn);
    },
    state: {
      read: () => state,
      why: (variable?: string) =>
        o.why && variable !== 'posture'
          ? o.why
          : variable === 'posture'
            ? [
                {
                  at: 0,
                  variable: 'posture',
                  before: 'PEER',
                  after: 'EXPERT',
                  delta: null,
                  cause: 'a question seeking knowledge',
                  turnId: 't1',
                },
              ]
            : [
                {
                  at: 0,
                  variable: 'warmth',
                  before: 0.6,
                  after: 0.62,
                  delta: 0.02,
                  cause: 'positive sentiment 0.40',
                  turnId: 't1',
                },
              ],
    },
    heritage: {
      exists: () => true,
      current: () => ({
        version: 3,
        doc: {
          name: 'Nova',
          creator: 'Sam',
          prime_directive: 'be kind and honest',
          core_traits: ['curious'],
          values: ['truth'],
          boundaries: [],
          interests: ['violins'],
          style: 'warm',
          voice: {},
        },
      }),
    },
    conversations: {
      list: () =>
        (o.conversations ?? []).map((c) => ({
          id: c.id,
          title: c.title,
          actor: 'creator',
          createdAt: 0,
          updatedAt: c.updatedAt,
        })),
      messages: (id: string) =>
        (o.conversations ?? [])
          .find((c) => c.id === id)
          ?.messages.map((m, i) => ({
            id: `${id}-${i}`,
            conversationId: id,
            turnId: `t${i}`,
            role: m.role,
            text: m.text,
            createdAt: 0,
            status: 'complete',
            meta: {},
          })) ?? [],
    },
    memory: {
      count: () => fake.memories.length,
      get: (id: string) => {
        const m = fake.memories.find((x) => x.id.startsWith(id));
        if (!m) throw notFound('memory', id);
        return m;
      },
      list: ({ limit }: { limit?: number }) => ({ items: fake.memories.slice(0, limit ?? 10), nextCursor: null }),
      recall: async ({ text }: { text: string }) =>
        fake.memories
          .filter((m) => m.text.toLowerCase().includes(text.toLowerCase()))
          .map((m, rank) => ({
            memory: m,
            rank,
            // Later matches score higher: the screen must sort them (issue 13, item 5).
            score: { score: 0.8 + 0.05 * rank, similarity: 0.9, freshness: 1, salience: 0.5, mmr: 0.8 },
          })),
      add: async (items: { text: string }[]) => {
        const added = items.map((it, i) => memory(`m${fake.memories.length + i + 1}abcdef`, it.text));
        fake.memories.push(...added);
        return added;
      },
      forget: async (id: string) => {
        const m = fake.memories.find((x) => x.id.startsWith(id));
        if (!m) throw notFound('memory', id);
        fake.memories = fake.memories.filter((x) => x !== m);
        return m;
      },
    },
    turn(input: unknown, opts: { signal?: AbortSignal } = {}): AsyncIterable<EngineEvent> {
      const message = typeof input === 'string' ? input : (input as { message: string }).message;
      fake.inputs.push(message);
      fake.turnInputs.push(input);
      const script = fake.turns.shift() ?? { tokens: ['ok'] };
      const signal = opts.signal ?? new AbortController().signal;
      const turnId = `t${++n}`;
      return (async function* () {
        if (script.throws) throw script.throws;
        const mode = script.mode ?? 'FULL';
        yield { type: 'start', turnId, conversationId: 'c1', mode, posture: 'PEER', model: 'llama3.2' };
        yield {
          type: 'recall',
          turnId,
          memories: (script.recalled ?? []).map((t, rank) => ({
            memory: memory(`r${rank}`, t),
            rank,
            score: { score: 0.7, similarity: 0.8, freshness: 1, salience: 0.5, mmr: 0.7 },
          })),
        };
        let reply = '';
        for (const tok of script.tokens) {
          if (script.delayMs) await sleep(script.delayMs, signal);
          if (signal.aborted) break;
          reply += tok;
          yield { type: 'token', turnId, text: tok };
        }
        state = snapshot({ warmth: 0.62, interactionCount: state.interactionCount + 1 });
        yield { type: 'limbic', turnId, state, changes: [] };
        if (script.modeAfter) fake.currentMode = script.modeAfter;
        if (script.error) {
          yield { type: 'error', turnId, error: script.error, partial: reply, messageId: null };
          return;
        }
        yield {
          type: 'done',
          turnId,
          messageId: `msg${n}`,
          reply,
          interrupted: signal.aborted,
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
      })() as AsyncIterable<EngineEvent>;
    },
  };
  return fake as unknown as FakeEngine;
}
