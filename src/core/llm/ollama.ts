/** The Ollama provider: native /api/chat (NDJSON stream), /api/embed, and a probe of /api/tags + /api/version. */
import {
  failedProbe,
  hasModel,
  makeCaller,
  probeTimeout,
  withModel,
  type HttpProviderOptions,
} from './http-provider.js';
import { llmErrors } from './errors.js';
import { ollamaChatStream, ollamaEmbeddings, ollamaModelNames, ollamaVersion } from './ollama-wire.js';
import { jsonRequest, streamRequest } from './request.js';
import type { ChatRequest, LlmChunk, LlmProvider, ProbeResult } from './types.js';

export function createOllamaProvider(o: HttpProviderOptions): LlmProvider {
  const caller = makeCaller('ollama', o);

  function chat(req: ChatRequest): AsyncIterable<LlmChunk> {
    const body = {
      model: o.model,
      messages: req.messages.map((m) => ({ role: m.role, content: m.content })),
      stream: true,
      options: { temperature: req.temperature, num_predict: req.maxTokens ?? o.maxTokens },
    };
    return streamRequest(
      caller,
      { method: 'POST', path: '/api/chat', body, modelRoute: true, ...(req.signal ? { signal: req.signal } : {}) },
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
      const [models, version] = await Promise.all([
        jsonRequest(caller, { ...spec, path: '/api/tags' }, ollamaModelNames),
        // Old servers and some proxies lack /api/version; the tags alone prove the server is there.
        jsonRequest(caller, { ...spec, path: '/api/version' }, ollamaVersion).catch(() => undefined),
      ]);
      const latencyMs = performance.now() - started;
      const found = { ...base, latencyMs, models, reachable: true, ...(version ? { version } : {}) };
      const server = `Ollama${version ? ` ${version}` : ''} at ${caller.ctx.url}`;
      if (hasModel(models, o.model)) {
        return { ...found, ok: true, modelAvailable: true, detail: `${server}: model ${o.model} is available` };
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
