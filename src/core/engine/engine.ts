/**
 * The engine's public shape: the typed API every front end (CLI, TUI, server) uses, and the library's `Engine`. It
 * names no storage handle, so a program embedding progeny type-checks without SQLite's types (local-engine.ts has
 * the handles this repository's own front ends use).
 */
import type { Dispatcher } from 'undici';
import type { Clock } from '../clock.js';
import type { Config } from '../config/schema.js';
import type { DeviceService } from '../devices/types.js';
import type { EngineEvent, EngineNotice, Mode } from '../events.js';
import type { HeritageService } from '../heritage/types.js';
import type { LimbicService } from '../limbic/types.js';
import type { ChatMessage, LlmProvider, ProbeResult } from '../llm/types.js';
import type { MemoryApi } from '../memory/api.js';
import type { BackendHealth, Embedder, MemoryStore } from '../memory/types.js';
import type { EmbedderHealth } from '../memory/embedder-fallback.js';
import type { MetricsRegistry } from '../metrics/registry.js';
import type { Paths } from '../paths.js';
import type { ConversationService } from './conversation-types.js';
import type { Summariser } from '../memory/api.js';

export interface EngineOptions {
  paths: Paths;
  config: Config;
  clock?: Clock;
  /** undici dispatcher for the LLM provider (tests, proxies). */
  dispatcher?: Dispatcher;
  /** Overrides the configured provider (tests, the bench's replay provider); null forces OFFLINE. */
  llm?: LlmProvider | null;
  /** Overrides the configured memory backend (e.g. the Qdrant store). */
  memoryStore?: (deps: { embedder: Embedder }) => MemoryStore;
}

export interface ModeReport {
  mode: Mode;
  llm: ProbeResult | { ok: false; reachable: false; provider: 'offline'; latencyMs: 0; detail: string };
  memory: BackendHealth;
}

export interface ModelList {
  current: string | null;
  available: string[];
  /** Why the list is empty or incomplete, for a person (the probe's detail). */
  detail: string;
}

export interface Engine {
  readonly paths: Paths;
  readonly config: Config;
  readonly deviceId: string;
  readonly clock: Clock;
  readonly memory: MemoryApi;
  readonly state: LimbicService;
  readonly heritage: HeritageService;
  readonly devices: DeviceService;
  readonly conversations: ConversationService;
  readonly metrics: MetricsRegistry;
  /** A chat turn as a typed event stream; cancel with the signal (the partial reply is kept). */
  turn(input: TurnInput | string, opts?: { signal?: AbortSignal }): AsyncIterable<EngineEvent>;
  /** Shared-state notices (limbic, memory, heritage, mode) for push subscribers. */
  subscribe(fn: (n: EngineNotice) => void): () => void;
  /** Probes the model server and the memory store now, and returns the resulting mode. */
  probe(signal?: AbortSignal): Promise<ModeReport>;
  /** The mode from the latest probes, without probing. */
  mode(): Mode;
  /** The chat model in use and the models the model server lists (none listed: it did not say, or there is none). */
  models(signal?: AbortSignal): Promise<ModelList>;
  /** Uses `model` for the next turns and saves it as llm.model in the home's config file (USAGE when offline). */
  useModel(model: string): void;
  /** Which embedder makes vectors now and whether the configured one works (it loads at its first use). */
  embedder(): EmbedderHealth;
  /** Loads the embedder's model now instead of at its first use, then tells how that went. */
  warmEmbedder(): Promise<EmbedderHealth>;
  /**
   * For long sessions (serve, chat): loads the model in the background, then re-embeds in the background whatever has
   * no vector of the current embedder (after a switch of embedder, or memories written by one-shot commands).
   */
  embedInBackground(): void;
  /** Dream's summarising step backed by the configured model; null when there is none (llm.provider offline). */
  summariser(): Summariser | null;
  /** Flushes batched writes and closes everything. Idempotent. */
  close(): Promise<void>;
}

export interface TurnInput {
  message: string;
  conversationId?: string;
  actor?: string;
  /**
   * The earlier exchange as the client holds it (an OpenAI-style client sends the whole conversation each time): used
   * as the prompt's history instead of the stored conversation's, keeping its last `chat.historyTurns` exchanges.
   */
  history?: ChatMessage[];
  /**
   * Continue the conversation's last reply, which was cut at the token limit (status `truncated`): no new message
   * (`message` is ignored), the model is asked to go on where it stopped, and the continuation is stored as a
   * reply of its own linked to the cut one (meta.continues). Needs `conversationId`.
   */
  continueReply?: boolean;
}
