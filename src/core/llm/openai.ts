/**
 * The OpenAI-compatible provider (OpenAI, vLLM, llama.cpp server, LM Studio, Ollama's /v1, …): POST
 * {base}/chat/completions with stream: true (SSE), {base}/embeddings, and a probe of {base}/models.
 */
import {
  failedProbe,
  hasModel,
  makeCaller,
  probeTimeout,
  withModel,
  type HttpProviderOptions,
} from './http-provider.js';
import { OpenAiParams } from './openai-params.js';
import { openaiChatStream, openaiEmbeddings, openaiModelIds } from './openai-wire.js';
import { jsonRequest, streamRequest } from './request.js';
import type { ChatRequest, LlmChunk, LlmProvider, ProbeResult } from './types.js';

export function createOpenAiProvider(o: HttpProviderOptions): LlmProvider {
  const caller = makeCaller('openai', o);
  const params = new OpenAiParams(caller.transport.baseUrl, o.tokenLimitParam);

  /** One request per parameter the server refuses (openai-params.ts); a refusal comes before any chunk. */
  async function* chat(req: ChatRequest): AsyncGenerator<LlmChunk> {
    for (;;) {
      const body = {
        model: o.model,
        messages: req.messages.map((m) => ({ role: m.role, content: m.content })),
        stream: true,
        ...params.body(o.model, req, req.maxTokens ?? o.maxTokens),
      };
      try {
        yield* streamRequest(
          caller,
          {
            method: 'POST',
            path: '/chat/completions',
            body,
            modelRoute: true,
            ...(req.signal ? { signal: req.signal } : {}),
          },
          openaiChatStream,
        );
        return;
      } catch (err) {
        if (!params.adapt(o.model, err)) throw err;
      }
    }
  }

  async function embed(texts: string[], opts: { model: string; signal?: AbortSignal }): Promise<Float32Array[]> {
    if (texts.length === 0) return [];
    const body = { model: opts.model, input: texts, encoding_format: 'float' };
    return jsonRequest(
      withModel(caller, opts.model),
      { method: 'POST', path: '/embeddings', body, modelRoute: true, ...(opts.signal ? { signal: opts.signal } : {}) },
      (v) => openaiEmbeddings(v, texts.length),
    );
  }

  /**
   * Lists the server's models. A model missing from the list only warns (ok stays true): servers such as
   * llama.cpp's list an alias yet accept any model name, so the list is not authoritative the way Ollama's is.
   */
  async function probe(signal?: AbortSignal): Promise<ProbeResult> {
    const started = performance.now();
    const base = { provider: 'openai' as const, url: caller.ctx.url, model: o.model };
    try {
      const models = await jsonRequest(
        caller,
        { method: 'GET', path: '/models', retries: 0, timeoutMs: probeTimeout(o), ...(signal ? { signal } : {}) },
        openaiModelIds,
      );
      const modelAvailable = hasModel(models, o.model);
      const listed = models.length > 5 ? `${models.slice(0, 5).join(', ')}, …` : models.join(', ');
      const detail = modelAvailable
        ? `OpenAI-compatible server at ${caller.ctx.url}: model ${o.model} is available`
        : `OpenAI-compatible server at ${caller.ctx.url} is up, but does not list model ${o.model} (it lists: ${listed || 'none'})`;
      return {
        ...base,
        ok: true,
        reachable: true,
        latencyMs: performance.now() - started,
        models,
        modelAvailable,
        detail,
      };
    } catch (err) {
      return failedProbe({ ...base, latencyMs: performance.now() - started }, err);
    }
  }

  return {
    id: 'openai',
    model: o.model,
    url: caller.ctx.url,
    chat,
    embed,
    probe,
    close: () => caller.transport.close(),
  };
}
