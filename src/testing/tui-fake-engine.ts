/** A scripted stand-in for the Engine, for the TUI's component tests: turns stream the tokens they are given. */
import { notFound } from '../core/errors.js';
import type { EngineNotice, Mode } from '../core/events.js';
import type { LimbicLogEntry } from '../core/limbic/service.js';
import type { Memory } from '../core/memory/types.js';
import type { ChatEngine } from '../tui/engine-port.js';
import { memory, scriptedTurn, snapshot, type FakeTurn, type TurnHost } from './tui-fake-engine-turn.js';

export { memory, snapshot, type FakeTurn } from './tui-fake-engine-turn.js';

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

export interface FakeEngineOptions {
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
}

const POSTURE_WHY: WhyEntry = {
  at: 0,
  variable: 'posture',
  before: 'PEER',
  after: 'EXPERT',
  delta: null,
  cause: 'a question seeking knowledge',
  turnId: 't1',
};
const WARMTH_WHY: WhyEntry = {
  at: 0,
  variable: 'warmth',
  before: 0.6,
  after: 0.62,
  delta: 0.02,
  cause: 'positive sentiment 0.40',
  turnId: 't1',
};

/** state.why(): the entries given (posture aside), else one canned change of the variable asked about. */
function fakeWhy(why: WhyEntry[] | undefined): (variable?: string) => WhyEntry[] {
  return (variable) => (why && variable !== 'posture' ? why : variable === 'posture' ? [POSTURE_WHY] : [WARMTH_WHY]);
}

const FAKE_HERITAGE = {
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
};

function fakeConversations(conversations: FakeEngineOptions['conversations'] = []): object {
  return {
    list: () =>
      conversations.map((c) => ({
        id: c.id,
        title: c.title,
        actor: 'creator',
        createdAt: 0,
        updatedAt: c.updatedAt,
      })),
    messages: (id: string) =>
      conversations
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
  };
}

/** The memory service over the fake's `memories` (read through `host`, since tests replace the array). */
function fakeMemory(host: { memories: Memory[] }): object {
  const find = (id: string): Memory => {
    const m = host.memories.find((x) => x.id.startsWith(id));
    if (!m) throw notFound('memory', id);
    return m;
  };
  return {
    count: () => host.memories.length,
    get: find,
    list: ({ limit }: { limit?: number }) => ({ items: host.memories.slice(0, limit ?? 10), nextCursor: null }),
    recall: async ({ text }: { text: string }) =>
      host.memories
        .filter((m) => m.text.toLowerCase().includes(text.toLowerCase()))
        .map((m, rank) => ({
          memory: m,
          rank,
          // Later matches score higher: the screen must sort them (issue 13, item 5).
          score: { score: 0.8 + 0.05 * rank, similarity: 0.9, freshness: 1, salience: 0.5, mmr: 0.8 },
        })),
    add: async (items: { text: string }[]) => {
      const added = items.map((it, i) => memory(`m${host.memories.length + i + 1}abcdef`, it.text));
      host.memories.push(...added);
      return added;
    },
    forget: async (id: string) => {
      const m = find(id);
      host.memories = host.memories.filter((x) => x !== m);
      return m;
    },
  };
}

/** probe(): counts the probes and reports the current mode as a model server would. */
async function probeFake(fake: { probes: number; currentMode: Mode }): Promise<object> {
  fake.probes++;
  const full = fake.currentMode === 'FULL';
  return {
    mode: fake.currentMode,
    llm: { ok: full, detail: full ? 'ok' : 'connection refused' },
    memory: { ok: true, backend: 'embedded', detail: '' },
  };
}

export function fakeEngine(o: FakeEngineOptions = {}): FakeEngine {
  const subscribers = new Set<(n: EngineNotice) => void>();
  const home = o.home ?? '/tmp';
  const fake = {
    turns: o.turns ?? [],
    inputs: [] as string[],
    turnInputs: [] as unknown[],
    currentMode: o.mode ?? ('FULL' as Mode),
    probes: 0,
    model: 'llama3.2',
    memories: o.memories ?? [],
    limbic: { state: snapshot(), turnsStarted: 0 },
    emit: (x: EngineNotice) => subscribers.forEach((f) => f(x)),
    config: { 'llm.provider': o.provider ?? 'ollama', 'llm.model': 'llama3.2', 'ui.theme': 'auto' },
    paths: { home, chatHistory: `${home}/chat-history.jsonl`, exports: `${home}/exports` },
    mode: () => fake.currentMode,
    probe: () => probeFake(fake),
    models: async () => ({ current: fake.model, available: o.models ?? [], detail: 'ok' }),
    useModel: (m: string) => {
      fake.model = m;
    },
    subscribe(fn: (n: EngineNotice) => void) {
      subscribers.add(fn);
      return () => void subscribers.delete(fn);
    },
    state: { read: () => fake.limbic.state, why: fakeWhy(o.why) },
    heritage: FAKE_HERITAGE,
    conversations: fakeConversations(o.conversations),
    memory: {} as object,
    turn: (input: unknown, opts?: { signal?: AbortSignal }) => scriptedTurn(fake satisfies TurnHost, input, opts),
  };
  fake.memory = fakeMemory(fake);
  return fake as unknown as FakeEngine;
}
