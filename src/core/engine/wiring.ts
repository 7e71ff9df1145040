/**
 * The engine's parts, opened in dependency order on one database: identity and journal, limbic state and heritage,
 * the model with its health and the mode tracker, the embedder, the memory store and service, the response cache,
 * devices and conversations. createEngine (create.ts) turns them into the Engine API.
 */
import { systemClock, type Clock } from '../clock.js';
import type { Config } from '../config/schema.js';
import { createDeviceService } from '../devices/service.js';
import type { DeviceService } from '../devices/types.js';
import { NoticeBus } from '../events.js';
import { createHeritageService } from '../heritage/service.js';
import type { HeritageService } from '../heritage/types.js';
import { createUlidFactory, type UlidFactory } from '../ids.js';
import { createLimbicService } from '../limbic/service.js';
import type { LimbicService } from '../limbic/types.js';
import { createLlmHealth, createProvider, createResponseCache } from '../llm/index.js';
import type { ResponseCache } from '../llm/response-cache.js';
import { switchableProvider, type SwitchableProvider } from '../llm/switchable.js';
import { createEmbeddedStore, createMemoryService } from '../memory/index.js';
import type { MemoryStore } from '../memory/types.js';
import { MetricsRegistry } from '../metrics/registry.js';
import type { Paths } from '../paths.js';
import type { Db } from '../store/db.js';
import { createJournal, type Journal } from '../sync/journal.js';
import type { ConversationService } from './conversation-types.js';
import { createConversationService } from './conversations.js';
import { createEngineEmbedder, oldEmbedderFor, type EngineEmbedder } from './embedder.js';
import type { EngineOptions } from './engine.js';
import { ensureDeviceId } from './identity.js';
import { createEngineMetrics } from './metrics.js';
import { createModeTracker, type ModeTracker } from './mode-tracker.js';

/** What opens before the memory store: everything but memory, cache, devices and conversations. */
interface BaseParts {
  paths: Paths;
  config: Config;
  clock: Clock;
  /** One id factory for the whole engine: memories, conversations, messages, turns and devices. */
  ids: UlidFactory;
  db: Db;
  deviceId: string;
  journal: Journal;
  metrics: MetricsRegistry;
  engineMetrics: ReturnType<typeof createEngineMetrics>;
  notices: NoticeBus;
  state: LimbicService;
  heritage: HeritageService;
  llm: SwitchableProvider | null;
  modes: ModeTracker;
  engineEmbedder: EngineEmbedder;
}

export interface EngineParts extends BaseParts {
  memory: Awaited<ReturnType<typeof createMemoryService>>;
  cache: ResponseCache | null;
  devices: DeviceService;
  conversations: ConversationService;
}

function openBase(db: Db, opts: EngineOptions): BaseParts {
  const { config } = opts;
  const clock = opts.clock ?? systemClock;
  const deviceId = ensureDeviceId(db);
  const journal = createJournal(db, clock, deviceId);
  const metrics = new MetricsRegistry();
  const notices = new NoticeBus();
  const state = createLimbicService(db, journal, clock, {
    maxDelta: config['limbic.maxDelta'],
    elasticMaxDelta: config['limbic.elasticMaxDelta'],
    reunionHours: config['limbic.reunionHours'],
  });
  const heritage = createHeritageService(db, journal, clock, () => state.read().trust);
  const providerOpts = opts.dispatcher ? { dispatcher: opts.dispatcher } : {};
  const first = opts.llm !== undefined ? opts.llm : createProvider(config, providerOpts);
  // /model switches the chat model while the engine runs (models.ts).
  const llm = first
    ? switchableProvider((model) => createProvider({ ...config, 'llm.model': model }, providerOpts) ?? first, first)
    : null;
  const modes = createModeTracker(llm ? createLlmHealth(llm, clock) : null, (change) => notices.emit(change));
  const engineEmbedder = createEngineEmbedder(db, config, llm, (detail) =>
    notices.emit({ type: 'embedder', id: engineEmbedder.embedder.id, state: 'fallback', detail }),
  );
  const ids = createUlidFactory();
  const engineMetrics = createEngineMetrics(metrics);
  return {
    paths: opts.paths,
    config,
    clock,
    ids,
    db,
    deviceId,
    journal,
    metrics,
    notices,
    engineMetrics,
    state,
    heritage,
    llm,
    modes,
    engineEmbedder,
  };
}

/** The configured memory store; the Qdrant store tells the mode tracker when it enters AMNESIA and recovers. */
async function openStore(base: BaseParts, opts: EngineOptions): Promise<MemoryStore> {
  const { db, paths, config, modes } = base;
  const embedder = base.engineEmbedder.embedder;
  if (opts.memoryStore) return opts.memoryStore({ embedder });
  if (config['memory.backend'] !== 'qdrant')
    return createEmbeddedStore({
      db,
      paths,
      embedder,
      indexReader: config['memory.indexReader'] === 'usearch' ? 'usearch' : 'auto',
    });
  const { createQdrantStore } = await import('../memory/qdrant/index.js');
  return createQdrantStore({ db, paths, config, embedder, onHealthChange: (ok, d) => modes.memoryHealth(ok, d) });
}

export async function openEngineParts(db: Db, opts: EngineOptions): Promise<EngineParts> {
  const base = openBase(db, opts);
  const { journal, clock, config, metrics, ids, notices } = base;
  const store = await openStore(base, opts);
  const embedder = base.engineEmbedder.embedder;
  const memory = await createMemoryService({
    db,
    journal,
    clock,
    config,
    embedder,
    store,
    metrics,
    ids,
    oldEmbedder: oldEmbedderFor(base.llm),
    onRecallVectorsLost: (info) =>
      notices.emit({ type: 'embedder', id: embedder.id, state: 'unavailable', detail: info.reason ?? '' }),
    onChange: (e) => notices.emit({ type: 'memory', op: e.op, ids: e.ids }),
  });
  base.engineMetrics.trackMemoryCount(() => memory.count());
  const cache =
    config['cache.response.ttlMs'] > 0 && config['cache.response.maxEntries'] > 0
      ? createResponseCache(db, clock, {
          ttlMs: config['cache.response.ttlMs'],
          maxEntries: config['cache.response.maxEntries'],
          metrics,
        })
      : null;
  const devices = createDeviceService(db, journal, clock, ids);
  const conversations = createConversationService(db, journal, clock, ids);
  return { ...base, memory, cache, devices, conversations };
}
