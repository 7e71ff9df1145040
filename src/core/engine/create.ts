/**
 * The composition root of the core: opens the store and the engine's parts (wiring.ts) and exposes them as the Engine
 * API. Nothing here prints; front ends consume the API and the event stream.
 */
import { ProgenyError } from '../errors.js';
import type { ProbeResult } from '../llm/types.js';
import { openDatabase, translateSqliteError } from '../store/db.js';
import type { EngineOptions, ModeReport } from './engine.js';
import type { LocalEngine } from './local-engine.js';
import { modelControl } from './models.js';
import { offlineHint } from './offline-reply.js';
import { llmSummariser } from './summariser.js';
import { runTurn, type TurnInput } from './turn.js';
import type { TurnDeps } from './turn-deps.js';
import { openEngineParts, type EngineParts } from './wiring.js';

export type { EngineOptions };

export async function createEngine(opts: EngineOptions): Promise<LocalEngine> {
  const db = openDatabase(opts.paths.db);
  try {
    return engineOf(await openEngineParts(db, opts));
  } catch (err) {
    db.close();
    throw translateSqliteError(err, opts.paths.db);
  }
}

/** A failed probe as the error the health tracker understands (unreachable, model missing, auth…). */
function probeFailure(p: ProbeResult): ProgenyError {
  const code = p.error?.code ?? (p.reachable ? 'LLM_HTTP' : 'LLM_UNREACHABLE');
  return new ProgenyError(code, p.error?.message ?? p.detail, {
    ...(p.error?.hint ? { hint: p.error.hint } : {}),
    ...(p.error?.actions ? { actions: p.error.actions } : {}),
  });
}

/** What a chat turn needs, wired to the engine's parts: reports of the model and the store go to the mode tracker. */
function turnDeps(p: EngineParts): TurnDeps {
  const { clock, ids, config, state, heritage, memory, conversations, llm, cache, notices, modes } = p;
  return {
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
    refreshMode: (signal) => modes.refresh(signal),
    offlineHint: () => offlineHint(config),
    reportLlmFailure: (err) => modes.llmFailed(err),
    reportLlmSuccess: () => modes.llmSucceeded(),
    reportMemoryFailure: (err) => {
      p.engineMetrics.memoryFailures.inc();
      modes.memoryFailed(err);
    },
    observeTurn: p.engineMetrics.observeTurn,
  };
}

/** Probes the model server and the memory store at once, and tells the mode tracker both outcomes. */
async function probeBoth(p: EngineParts, signal?: AbortSignal): Promise<ModeReport> {
  const offline = {
    ok: false as const,
    reachable: false as const,
    provider: 'offline' as const,
    latencyMs: 0 as const,
    detail: offlineHint(p.config).text,
  };
  const [llm, memory] = await Promise.all([p.llm ? p.llm.probe(signal) : Promise.resolve(offline), p.memory.probe()]);
  const llmFailure = !llm.ok && p.llm ? { llmFailure: probeFailure(llm) } : {};
  const mode = p.modes.probed({ llmOk: llm.ok, ...llmFailure, memoryOk: memory.ok, detail: llm.detail });
  return { mode, llm, memory };
}

function engineOf(p: EngineParts): LocalEngine {
  const { paths, config, deviceId, clock, db, journal, memory, state, heritage, devices, conversations } = p;
  const { metrics, llm, engineEmbedder, notices } = p;
  const deps = turnDeps(p);
  let closed = false;
  return {
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
    turn: (input: TurnInput | string, turnOpts = {}) =>
      runTurn(deps, typeof input === 'string' ? { message: input } : input, turnOpts.signal),
    subscribe: (fn) => notices.subscribe(fn),
    probe: (signal) => probeBoth(p, signal),
    mode: () => p.modes.current(),
    ...modelControl(llm, paths.config, () => offlineHint(config)),
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
      llm ? llmSummariser(llm, () => (heritage.exists() ? heritage.summary() : 'You are a personal companion.')) : null,
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
}
