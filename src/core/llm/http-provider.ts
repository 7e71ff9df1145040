/** What the two HTTP providers share: options, the Caller (transport + retry + error context), probe helpers. */
import type { Dispatcher } from 'undici';
import { isProgenyError, toProgenyError } from '../errors.js';
import { displayUrl, probeError } from './errors.js';
import type { Caller } from './request.js';
import { Transport } from './transport.js';
import type { ProbeResult, ProviderId } from './types.js';

export interface HttpProviderOptions {
  /** Base URL: http://host:11434 for Ollama, http://host:port/v1 for OpenAI-compatible servers. */
  url: string;
  model: string;
  /** Sent as `Authorization: Bearer …` when non-empty; scrubbed from every error message. */
  apiKey?: string;
  timeoutMs: number;
  connectTimeoutMs: number;
  idleTimeoutMs: number;
  retries: number;
  retryBaseMs: number;
  retryMaxMs: number;
  maxTokens: number;
  /** Longest wait for the reply to start while the server loads the model (Ollama). Default 180 s. */
  loadTimeoutMs?: number;
  /** How an OpenAI-compatible request sends maxTokens (openai-params.ts). Default auto. */
  tokenLimitParam?: 'auto' | 'max_tokens' | 'max_completion_tokens';
  /** Total budget of a probe; default min(timeoutMs, 5000). */
  probeTimeoutMs?: number;
  dispatcher?: Dispatcher;
  /** Jitter source for backoff (tests pin it). */
  random?: () => number;
}

export function makeCaller(provider: ProviderId, o: HttpProviderOptions): Caller {
  const apiKey = o.apiKey ?? '';
  const transport = new Transport({
    baseUrl: o.url,
    connectTimeoutMs: o.connectTimeoutMs,
    idleTimeoutMs: o.idleTimeoutMs,
    ...(apiKey ? { headers: { authorization: `Bearer ${apiKey}` } } : {}),
    ...(o.dispatcher ? { dispatcher: o.dispatcher } : {}),
  });
  return {
    transport,
    ctx: {
      provider,
      url: displayUrl(transport.baseUrl),
      model: o.model,
      secrets: apiKey ? [apiKey] : [],
      connectTimeoutMs: o.connectTimeoutMs,
      idleTimeoutMs: o.idleTimeoutMs,
    },
    retry: {
      retries: o.retries,
      baseMs: o.retryBaseMs,
      maxMs: o.retryMaxMs,
      ...(o.random ? { random: o.random } : {}),
    },
    timeoutMs: o.timeoutMs,
  };
}

/** The same caller with another model in its error context (embedding requests name the embedding model). */
export function withModel(c: Caller, model: string): Caller {
  return { ...c, ctx: { ...c.ctx, model } };
}

export function probeTimeout(o: HttpProviderOptions): number {
  return o.probeTimeoutMs ?? Math.min(o.timeoutMs, 5_000);
}

/** A probe that failed: reachable unless the server never answered. Cancellation is rethrown, not reported. */
export function failedProbe(base: Omit<ProbeResult, 'ok' | 'reachable' | 'detail'>, err: unknown): ProbeResult {
  const e = toProgenyError(err);
  if (e.code === 'INTERRUPTED') throw e;
  const reachable = !(isProgenyError(err) && (err.code === 'LLM_UNREACHABLE' || err.code === 'LLM_TIMEOUT'));
  return {
    ...base,
    ok: false,
    reachable,
    detail: e.message,
    error: probeError(e),
  };
}

/** Ollama names a model "name:tag" and treats a bare name as "name:latest"; OpenAI-compatible ids are compared alike. */
export function hasModel(names: readonly string[], model: string): boolean {
  const full = (n: string): string => (n.includes(':') ? n : `${n}:latest`);
  const want = full(model);
  return names.some((n) => full(n) === want);
}
