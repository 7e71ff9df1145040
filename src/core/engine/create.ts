/**
 * The composition root of the core: opens the store, wires heritage, limbic, memory, LLM, devices, conversations and
 * metrics, and exposes the Engine API. Nothing here prints; front ends consume the API and the event stream.
 */
import { systemClock } from '../clock.js';
import { createUlidFactory } from '../ids.js';
import type { Config } from '../config/schema.js';
import { createDeviceService } from '../devices/service.js';
import { NoticeBus, type Mode } from '../events.js';
import { createHeritageService } from '../heritage/service.js';
import { createLimbicService } from '../limbic/service.js';
import { createLlmHealth, createProvider, createResponseCache } from '../llm/index.js';
import type { ProbeResult } from '../llm/types.js';
import { switchableProvider } from '../llm/switchable.js';
import { modelControl } from './models.js';
import { llmSummariser } from './summariser.js';
import { ProgenyError } from '../errors.js';
import { createEmbeddedStore, createMemoryService } from '../memory/index.js';
import { createEngineEmbedder, oldEmbedderFor } from './embedder.js';
import { MetricsRegistry } from '../metrics/registry.js';
import { openDatabase, translateSqliteError } from '../store/db.js';
import { createJournal } from '../sync/journal.js';
import { createConversationService } from './conversations.js';
import type { EngineOptions, ModeReport } from './engine.js';
import type { LocalEngine } from './local-engine.js';
import { ensureDeviceId } from './identity.js';
import { createEngineMetrics } from './metrics.js';
import { runTurn, type TurnInput } from './turn.js';

export type { EngineOptions };

export function offlineHintFor(config: Config): string {
  if (config['llm.provider'] === 'offline') return 'llm.provider is offline; set it to ollama or openai to use a model';
  return config['llm.provider'] === 'ollama'
    ? `no model at ${config['llm.url']}: start Ollama (\`ollama serve\`, \`ollama pull ${config['llm.model']}\`) or set llm.url; \`progeny doctor\` checks`
    : `no model at ${config['llm.url']}: start your OpenAI-compatible server or set llm.url; \`progeny doctor\` checks`;
}

/** A failed probe as the error the health tracker understands (unreachable, model missing, auth…). */
function probeFailure(p: ProbeResult): ProgenyError {
  const code = p.error?.code ?? (p.reachable ? 'LLM_HTTP' : 'LLM_UNREACHABLE');
  return new ProgenyError(code, p.error?.message ?? p.detail, {
    ...(p.error?.hint ? { hint: p.error.hint } : {}),
  });
}

export async function createEngine(opts: EngineOptions): Promise<LocalEngine> {
  const { paths, config } = opts;
  const clock = opts.clock ?? systemClock;
  // One id factory for the whole engine: memories, conversations, messages, turns and devices.
  const ids = createUlidFactory();
  const db = openDatabase(paths.db);
  try {
    const deviceId = ensureDeviceId(db);
    const journal = createJournal(db, clock, deviceId);
    const metrics = new MetricsRegistry();
    const engineMetrics = createEngineMetrics(metrics);
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
    const health = llm ? createLlmHealth(llm, clock) : null;
    const engineEmbedder = createEngineEmbedder(db, config, llm, (detail) =>
      notices.emit({ type: 'embedder', id: engineEmbedder.embedder.id, state: 'fallback', detail }),
    );
    const embedder = engineEmbedder.embedder;
    // The Qdrant store tells us when it enters AMNESIA and when it recovered (and replayed its queue).
    // Until the mode machinery below exists (the store opens inside createMemoryService), remember the last word.
    let storeOkAtOpen = true;
    let memoryHealth: (ok: boolean, detail: string) => void = (ok) => (storeOkAtOpen = ok);
    const store = opts.memoryStore
      ? opts.memoryStore({ embedder })
      : config['memory.backend'] === 'qdrant'
        ? (await import('../memory/qdrant/index.js')).createQdrantStore({
            db,
            paths,
            config,
            embedder,
            onHealthChange: (ok, d) => memoryHealth(ok, d),
          })
        : createEmbeddedStore({ db, paths, embedder });
    const memory = await createMemoryService({
      db,
      journal,
      clock,
      config,
      embedder,
      store,
      metrics,
      ids,
      oldEmbedder: oldEmbedderFor(llm),
      onChange: (e) => notices.emit({ type: 'memory', op: e.op, ids: e.ids }),
    });
    engineMetrics.trackMemoryCount(() => memory.count());
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

    let memoryOk = storeOkAtOpen;
    const modeNow = (): Mode => {
      const llmOk = llm !== null && (health?.current().ok ?? false);
      if (llmOk) return memoryOk ? 'FULL' : 'AMNESIA';
      return memoryOk ? 'OFFLINE' : 'DEAD';
    };
    let lastMode = modeNow();
    const noteMode = (detail: string): void => {
      const m = modeNow();
      if (m !== lastMode) notices.emit({ type: 'mode', mode: m, detail });
      lastMode = m;
    };
    memoryHealth = (ok, detail) => {
      memoryOk = ok;
      noteMode(detail);
    };
    let closed = false;

    const engine: LocalEngine = {
      paths,
      config,
      deviceId,
      clock,
      db,
      journal,
      memory,
      state,
      heritage,
      devices,
      conversations,
      metrics,
      turn(input: TurnInput | string, turnOpts = {}) {
        const ti = typeof input === 'string' ? { message: input } : input;
        return runTurn(
          {
            clock,
            ids,
            config,
            limbic: state,
            heritage,
            memory,
            conversations,
            llm,
            cache,
            notices,
            refreshMode: async (signal) => {
              await health?.refresh(signal);
              noteMode(health?.current().detail ?? 'offline');
              return modeNow();
            },
            offlineHint: () => offlineHintFor(config),
            reportLlmFailure: (err) => {
              health?.reportFailure(err);
              noteMode(String((err as Error).message));
            },
            reportLlmSuccess: () => {
              health?.reportSuccess();
              noteMode('model reachable');
            },
            reportMemoryFailure: (err) => {
              memoryOk = false;
              engineMetrics.memoryFailures.inc();
              noteMode(String((err as Error).message));
            },
            observeTurn: engineMetrics.observeTurn,
          },
          ti,
          turnOpts.signal,
        );
      },
      subscribe: (fn) => notices.subscribe(fn),
      async probe(signal) {
        const [llmProbe, mem] = await Promise.all([
          llm
            ? llm.probe(signal)
            : Promise.resolve({
                ok: false as const,
                reachable: false as const,
                provider: 'offline' as const,
                latencyMs: 0 as const,
                detail: offlineHintFor(config),
              }),
          memory.probe(),
        ]);
        if (llmProbe.ok) health?.reportSuccess();
        else if (llm) health?.reportFailure(probeFailure(llmProbe));
        memoryOk = mem.ok;
        noteMode(llmProbe.detail);
        return { mode: modeNow(), llm: llmProbe, memory: mem } satisfies ModeReport;
      },
      mode: modeNow,
      ...modelControl(llm, paths.config, () => offlineHintFor(config)),
      embedder: () => engineEmbedder.health(),
      async warmEmbedder() {
        await engineEmbedder.warm();
        return engineEmbedder.health();
      },
      embedInBackground() {
        void engineEmbedder.warm().then(() => !closed && memory.reembedInBackground());
      },
      // A home with no companion yet (memories imported before the first chat) still gets its memories condensed.
      summariser: () =>
        llm
          ? llmSummariser(llm, () => (heritage.exists() ? heritage.summary() : 'You are a personal companion.'))
          : null,
      async close() {
        if (closed) return;
        closed = true;
        try {
          await memory.close();
          await llm?.close();
        } finally {
          await engineEmbedder.close();
          db.close();
        }
      },
    };
    return engine;
  } catch (err) {
    db.close();
    throw translateSqliteError(err, paths.db);
  }
}
