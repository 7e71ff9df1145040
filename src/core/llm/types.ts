/** The LLM provider interface (docs/architecture.md, "The engine"). */
import type { ErrorCode } from '../error-codes.js';

export type ProviderId = 'ollama' | 'openai' | 'offline' | 'replay';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface ChatRequest {
  messages: ChatMessage[];
  temperature: number;
  /** Upper bound on generated tokens; the provider's configured llm.maxTokens when absent. */
  maxTokens?: number;
  /**
   * false: ask a thinking model to answer without reasoning first (Ollama's `think: false`), for short work whose token
   * limit reasoning would spend (dream's summaries). A provider with no such switch ignores it.
   */
  think?: false;
  signal?: AbortSignal;
}

export interface TokenUsage {
  promptTokens?: number;
  completionTokens?: number;
}

/**
 * A streamed reply is zero or more `token` chunks followed by exactly one `done` chunk. A stream that ends without
 * `done` has failed (the provider throws LLM_STREAM_CUT instead of ending quietly). Before the tokens may come:
 * `loading` (the server is loading the model first, which can take tens of seconds) and `thinking` chunks (a thinking
 * model's reasoning: Ollama's message.thinking, OpenAI-compatible reasoning_content / reasoning), which are not
 * part of the reply. `done.finishReason` "length" means the reply was cut at the token limit.
 */
export type LlmChunk =
  | { type: 'loading'; model: string }
  | { type: 'thinking'; text: string }
  | { type: 'token'; text: string }
  | { type: 'done'; usage?: TokenUsage; model?: string; finishReason?: string };

/** The error of a failed probe, in the shape ProgenyError.toJSON() renders. */
export interface ProbeError {
  code: ErrorCode;
  message: string;
  hint?: string;
}

export interface ProbeResult {
  /** The server answered and the configured model can be used (as far as the server says). */
  ok: boolean;
  /** The server answered at all (false: refused, DNS, connect timeout, no answer in time). */
  reachable: boolean;
  provider: ProviderId;
  url?: string;
  model?: string;
  latencyMs: number;
  /** One line a person can act on: what was found or what failed. */
  detail: string;
  /** The server's version, when it says (Ollama's /api/version). */
  version?: string;
  /** Models the server offers, when it says. */
  models?: string[];
  /** Whether the configured model is among them (undefined when the server does not list models). */
  modelAvailable?: boolean;
  /** Whether the model is in the server's memory now (Ollama's /api/ps); false: the next reply waits for it to load. */
  modelLoaded?: boolean;
  /** Whether the model thinks before it answers (Ollama's /api/show capabilities). */
  modelThinks?: boolean;
  /** Why ok is false. */
  error?: ProbeError;
}

export interface LlmProvider {
  readonly id: ProviderId;
  readonly model: string;
  /** The server's base URL without credentials, for messages; absent for in-process providers. */
  readonly url?: string;
  /**
   * Streams a reply. Throws ProgenyError (exit 4, codes in llm/errors.ts) on failures, after retrying connection
   * errors, 429 and 5xx that happen before the first token. When req.signal aborts it stops promptly, releases the
   * connection and throws INTERRUPTED (exit 130); the caller keeps the tokens it already received.
   */
  chat(req: ChatRequest): AsyncIterable<LlmChunk>;
  /** Embeds texts with the provider's embedding model; one vector per text, in order. */
  embed(texts: string[], opts: { model: string; signal?: AbortSignal }): Promise<Float32Array[]>;
  /** Checks the server and the configured model; never throws for server trouble (see ProbeResult.error). */
  probe(signal?: AbortSignal): Promise<ProbeResult>;
  /** Closes the provider's own connection pool (an injected dispatcher is left open). */
  close(): Promise<void>;
}
