/**
 * The Ollama provider: native /api/chat (NDJSON stream), /api/embed, and a probe of /api/tags + /api/version (and
 * /api/ps, /api/show: whether the model is in memory and whether it thinks). A chat first asks /api/ps whether the
 * model is loaded (ollama-load.ts); if not, the stream starts with a `loading` chunk and waits llm.loadTimeoutMs.
 */
import {
  failedProbe,
  hasModel,
  makeCaller,
  probeTimeout,
  withModel,
  type HttpProviderOptions,
} from './http-provider.js';
import { llmErrors } from './errors.js';
import { createLoadWatch } from './ollama-load.js';
import {
  ollamaCapabilities,
  ollamaChatStream,
  ollamaEmbeddings,
  ollamaModelNames,
  ollamaVersion,
} from './ollama-wire.js';
import { jsonRequest, streamRequest } from './request.js';
import type { ChatRequest, LlmChunk, LlmProvider, ProbeResult } from './types.js';

export function createOllamaProvider(o: HttpProviderOptions): LlmProvider {
  const caller = makeCaller('ollama', o);
  const loadTimeoutMs = o.loadTimeoutMs ?? 180_000;
  const load = createLoadWatch(caller, o.model, probeTimeout(o));

  async function* chat(req: ChatRequest): AsyncGenerator<LlmChunk> {
    const body = {
      model: o.model,
      messages: req.messages.map((m) => ({ role: m.role, content: m.content })),
      stream: true,
      options: { temperature: req.temperature, num_predict: req.maxTokens ?? o.maxTokens },
      ...(req.think === false ? { think: false } : {}),
    };
    const loading = (await load.loaded(req.signal)) === false;
    if (loading) yield { type: 'loading', model: o.model };
    yield* streamRequest(
      caller,
      {
        method: 'POST',
        path: '/api/chat',
        body,
        modelRoute: true,
        ...(req.signal ? { signal: req.signal } : {}),
        // The load comes on top of the reply's own time budget.
        ...(loading ? { loadWaitMs: loadTimeoutMs, timeoutMs: o.timeoutMs + loadTimeoutMs } : {}),
      },
      ollamaChatStream,
    );
  }

  async function embed(texts: string[], opts: { model: string; signal?: AbortSignal }): Promise<Float32Array[]> {
    if (texts.length === 0) return [];
    return jsonRequest(
      withModel(caller, opts.model),
      {
        method: 'POST',
        path: '/api/embed',
        body: { model: opts.model, input: texts },
        modelRoute: true,
        ...signalOf(opts),
      },
      (v) => ollamaEmbeddings(v, texts.length),
    );
  }

  async function probe(signal?: AbortSignal): Promise<ProbeResult> {
    const started = performance.now();
    const base = { provider: 'ollama' as const, url: caller.ctx.url, model: o.model };
    const spec = { method: 'GET' as const, retries: 0, timeoutMs: probeTimeout(o), ...(signal ? { signal } : {}) };
    try {
      const [models, version, loaded, capabilities] = await Promise.all([
        jsonRequest(caller, { ...spec, path: '/api/tags' }, ollamaModelNames),
        // Old servers and some proxies lack /api/version, /api/ps or /api/show; the tags alone prove the server is there.
        jsonRequest(caller, { ...spec, path: '/api/version' }, ollamaVersion).catch(() => undefined),
        load.loaded(signal),
        jsonRequest(
          caller,
          { ...spec, method: 'POST', path: '/api/show', body: { model: o.model } },
          ollamaCapabilities,
        )
          .then((caps) => caps)
          .catch(() => undefined),
      ]);
      const latencyMs = performance.now() - started;
      const found = { ...base, latencyMs, models, reachable: true, ...(version ? { version } : {}) };
      const server = `Ollama${version ? ` ${version}` : ''} at ${caller.ctx.url}`;
      if (hasModel(models, o.model)) {
        const thinks = capabilities?.includes('thinking');
        const notes = [
          loaded === true ? 'loaded' : loaded === false ? 'not loaded: the first reply waits for it to load' : '',
          thinks ? 'a thinking model' : '',
        ].filter(Boolean);
        return {
          ...found,
          ok: true,
          modelAvailable: true,
          ...(loaded === undefined ? {} : { modelLoaded: loaded }),
          ...(capabilities === undefined ? {} : { modelThinks: thinks === true }),
          detail: `${server}: model ${o.model} is available${notes.length ? ` (${notes.join('; ')})` : ''}`,
        };
      }
      const missing = llmErrors.modelMissing(caller.ctx, undefined, undefined);
      return {
        ...found,
        ok: false,
        modelAvailable: false,
        detail: `${server} is up, but model ${o.model} is not pulled`,
        error: { code: missing.code, message: missing.message, ...(missing.hint ? { hint: missing.hint } : {}) },
      };
    } catch (err) {
      return failedProbe({ ...base, latencyMs: performance.now() - started }, err);
    }
  }

  return {
    id: 'ollama',
    model: o.model,
    url: caller.ctx.url,
    chat,
    embed,
    probe,
    close: () => caller.transport.close(),
  };
}

function signalOf(opts: { signal?: AbortSignal }): { signal?: AbortSignal } {
  return opts.signal ? { signal: opts.signal } : {};
}
