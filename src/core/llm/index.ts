/**
 * The LLM layer: providers (ollama, openai, replay), their errors, the response cache and health tracking.
 *
 * A chat turn uses them like this: `health.refresh()` → if not ok, answer OFFLINE; else look up
 * `cache.get(cache.keyFor(provider, req))`; on a miss stream `provider.chat(req)`, and after its `done` chunk call
 * `health.reportSuccess()` and `cache.set(key, {text, model, usage})`. On an error call `health.reportFailure(err)`;
 * `llmFailureKind(err)` says whether it was a cancel (INTERRUPTED: keep the partial reply, mark it interrupted),
 * an unavailable model (answer OFFLINE) or a transient failure. Never cache a reply that did not reach `done`.
 */
export type {
  ChatMessage,
  ChatRequest,
  LlmChunk,
  LlmProvider,
  ProbeError,
  ProbeResult,
  ProviderId,
  TokenUsage,
} from './types.js';
export { createProvider, providerOptionsFrom } from './create-provider.js';
export { createOllamaProvider } from './ollama.js';
export { createOpenAiProvider } from './openai.js';
export type { HttpProviderOptions } from './http-provider.js';
export { createReplayProvider, loadRecordedStream, llmFixturePath } from './replay.js';
export type { ReplayOptions, ReplayProvider } from './replay.js';
export { LLM_ERROR_CODES, redact, displayUrl } from './errors.js';
export type { LlmErrorCode, LlmErrorDetails } from './errors.js';
export { isRetryable } from './retry.js';
export type { RetryPolicy } from './retry.js';
export { createResponseCache, responseCacheKey } from './response-cache.js';
export type { CachedReply, ResponseCache, ResponseCacheOptions, ResponseCacheStats } from './response-cache.js';
export { createLlmHealth, llmFailureKind } from './health.js';
export type { LlmFailureKind, LlmHealth, LlmHealthOptions, LlmHealthSnapshot } from './health.js';
export { NdjsonDecoder, ndjsonValues } from './ndjson.js';
export { SseDecoder, sseEvents } from './sse.js';
export type { SseEvent } from './sse.js';
