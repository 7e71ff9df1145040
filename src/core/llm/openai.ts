/**
 * The OpenAI-compatible provider (OpenAI, vLLM, llama.cpp server, LM Studio, Ollama's /v1, …): POST
 * {base}/chat/completions with stream: true (SSE), {base}/embeddings, and a probe of {base}/models.
 */
import { hasModel, makeCaller, probeTimeout, type HttpProviderOptions } from './http-provider.js';
import { chatBodyBase, embedRoute, httpProvider, signalField, timedProbe } from './http-provider-calls.js';
import { OpenAiParams } from './openai-params.js';
import { openaiChatStream, openaiEmbeddings, openaiModelIds } from './openai-wire.js';
import { jsonRequest, streamRequest, type Caller } from './request.js';
import type { ChatRequest, LlmChunk, LlmProvider, ProbeResult } from './types.js';

export function createOpenAiProvider(o: HttpProviderOptions): LlmProvider {
  const caller = makeCaller('openai', o);
  const params = new OpenAiParams(caller.transport.baseUrl, o.tokenLimitParam);

  /** One request per parameter the server refuses (openai-params.ts); a refusal comes before any chunk. */
  async function* chat(req: ChatRequest): AsyncGenerator<LlmChunk> {
    for (;;) {
      const body = { ...chatBodyBase(o.model, req), ...params.body(o.model, req, req.maxTokens ?? o.maxTokens) };
      try {
        yield* streamRequest(
          caller,
          { method: 'POST', path: '/chat/completions', body, modelRoute: true, ...signalField(req.signal) },
          openaiChatStream,
        );
        return;
      } catch (err) {
        if (!params.adapt(o.model, err)) throw err;
      }
    }
  }

  return httpProvider('openai', caller, {
    chat,
    embed: embedRoute(caller, '/embeddings', { encoding_format: 'float' }, openaiEmbeddings),
    probe: (signal) => probeOpenAi(caller, o.model, probeTimeout(o), signal),
  });
}

/**
 * Lists the server's models. A model missing from the list only warns (ok stays true): servers such as
 * llama.cpp's list an alias yet accept any model name, so the list is not authoritative the way Ollama's is.
 */
function probeOpenAi(caller: Caller, model: string, timeoutMs: number, signal?: AbortSignal): Promise<ProbeResult> {
  return timedProbe('openai', caller, async (elapsed) => {
    const models = await jsonRequest(
      caller,
      { method: 'GET', path: '/models', retries: 0, timeoutMs, ...signalField(signal) },
      openaiModelIds,
    );
    const modelAvailable = hasModel(models, model);
    const listed = models.length > 5 ? `${models.slice(0, 5).join(', ')}, …` : models.join(', ');
    const detail = modelAvailable
      ? `OpenAI-compatible server at ${caller.ctx.url}: model ${model} is available`
      : `OpenAI-compatible server at ${caller.ctx.url} is up, but does not list model ${model} (it lists: ${listed || 'none'})`;
    return { ...elapsed(), ok: true, reachable: true, models, modelAvailable, detail };
  });
}
