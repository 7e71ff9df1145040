/**
 * The calls both HTTP providers make alike: the start of a chat body, an embedding request, a timed probe and the
 * provider object itself. Each provider keeps only what its API says differently (paths, decoders, extra fields).
 */
import { failedProbe, withModel } from './http-provider.js';
import { jsonRequest, type Caller } from './request.js';
import type { ChatRequest, LlmProvider, ProbeResult, ProviderId } from './types.js';

/** `{ signal }` when there is one: the request spec's field is optional, never undefined. */
export function signalField(signal: AbortSignal | undefined): { signal?: AbortSignal } {
  return signal ? { signal } : {};
}

/** What every streamed chat request starts with: the model and the conversation, roles and text only. */
export function chatBodyBase(model: string, req: ChatRequest) {
  return {
    model,
    messages: req.messages.map((m) => ({ role: m.role, content: m.content })),
    stream: true as const,
  };
}

/**
 * The embed call of a provider: POSTs `{ model, input, ...extra }` to its route, naming the embedding model in
 * errors; no request for an empty batch.
 */
export function embedRoute(
  caller: Caller,
  path: string,
  extra: Record<string, unknown>,
  decode: (value: unknown, count: number) => Float32Array[],
): LlmProvider['embed'] {
  return async (texts, { model, signal }) => {
    if (texts.length === 0) return [];
    const body = { model, input: texts, ...extra };
    return jsonRequest(
      withModel(caller, model),
      { method: 'POST', path, body, modelRoute: true, ...signalField(signal) },
      (v) => decode(v, texts.length),
    );
  };
}

/** What a probe reports about every server: who was asked and how long the answer took. */
export type ProbeBase = Pick<ProbeResult, 'provider' | 'url' | 'model' | 'latencyMs'>;

/** Runs a probe with its clock started; a failure (other than cancellation) becomes a failed ProbeResult. */
export async function timedProbe(
  provider: ProviderId,
  caller: Caller,
  run: (elapsed: () => ProbeBase) => Promise<ProbeResult>,
): Promise<ProbeResult> {
  const started = performance.now();
  const elapsed = (): ProbeBase => ({
    provider,
    url: caller.ctx.url,
    model: caller.ctx.model,
    latencyMs: performance.now() - started,
  });
  try {
    return await run(elapsed);
  } catch (err) {
    return failedProbe(elapsed(), err);
  }
}

/** The provider object: its identity from the caller, its connection pool closed with it. */
export function httpProvider(
  id: ProviderId,
  caller: Caller,
  calls: Pick<LlmProvider, 'chat' | 'embed' | 'probe'>,
): LlmProvider {
  return { id, model: caller.ctx.model, url: caller.ctx.url, ...calls, close: () => caller.transport.close() };
}
