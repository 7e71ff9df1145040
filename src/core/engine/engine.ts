/** The engine's public shape: the typed API every front end (CLI, TUI, server) uses. */
import type { Clock } from '../clock.js';
import type { Config } from '../config/schema.js';
import type { DeviceService } from '../devices/service.js';
import type { EngineEvent, EngineNotice, Mode } from '../events.js';
import type { HeritageService } from '../heritage/service.js';
import type { LimbicService } from '../limbic/service.js';
import type { ProbeResult } from '../llm/types.js';
import type { MemoryApi } from '../memory/api.js';
import type { BackendHealth } from '../memory/types.js';
import type { EmbedderHealth } from '../memory/embedder-fallback.js';
import type { MetricsRegistry } from '../metrics/registry.js';
import type { Paths } from '../paths.js';
import type { Db } from '../store/db.js';
import type { Journal } from '../sync/journal.js';
import type { ConversationService } from './conversations.js';
import type { Summariser } from '../memory/dream-summary.js';
import type { TurnInput } from './turn.js';

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
  readonly db: Db;
  readonly journal: Journal;
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
