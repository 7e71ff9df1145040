/**
 * The Ollama provider: native /api/chat (NDJSON stream), /api/embed, and a probe of /api/tags + /api/version (and
 * /api/ps, /api/show: whether the model is in memory and whether it thinks; ollama-probe.ts). A chat first asks
 * /api/ps whether the model is loaded (ollama-load.ts); if not, the stream starts with a `loading` chunk and waits
 * llm.loadTimeoutMs.
 */
import { makeCaller, probeTimeout, type HttpProviderOptions } from './http-provider.js';
import { chatBodyBase, embedRoute, httpProvider, signalField } from './http-provider-calls.js';
import { createLoadWatch } from './ollama-load.js';
import { probeOllama } from './ollama-probe.js';
import { ollamaChatStream, ollamaEmbeddings } from './ollama-wire.js';
import { streamRequest } from './request.js';
import type { ChatRequest, LlmChunk, LlmProvider } from './types.js';

export function createOllamaProvider(o: HttpProviderOptions): LlmProvider {
  const caller = makeCaller('ollama', o);
  const loadTimeoutMs = o.loadTimeoutMs ?? 180_000;
  const load = createLoadWatch(caller, o.model, probeTimeout(o));

  async function* chat(req: ChatRequest): AsyncGenerator<LlmChunk> {
    const body = {
      ...chatBodyBase(o.model, req),
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
        ...signalField(req.signal),
        // The load comes on top of the reply's own time budget.
        ...(loading ? { loadWaitMs: loadTimeoutMs, timeoutMs: o.timeoutMs + loadTimeoutMs } : {}),
      },
      ollamaChatStream,
    );
  }

  return httpProvider('ollama', caller, {
    chat,
    embed: embedRoute(caller, '/api/embed', {}, ollamaEmbeddings),
    probe: (signal) => probeOllama(caller, o.model, probeTimeout(o), load, signal),
  });
}
