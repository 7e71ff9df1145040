/** The LLM provider interface (design README, "LLM"). */

export type ProviderId = 'ollama' | 'openai' | 'offline' | 'replay';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface ChatRequest {
  messages: ChatMessage[];
  temperature: number;
  maxTokens?: number;
  signal?: AbortSignal;
}

export interface TokenUsage {
  promptTokens?: number;
  completionTokens?: number;
}

export type LlmChunk = { type: 'token'; text: string } | { type: 'done'; usage?: TokenUsage; model?: string };

export interface ProbeResult {
  ok: boolean;
  provider: ProviderId;
  url?: string;
  model?: string;
  latencyMs: number;
  /** One line a person can act on: what was found or what failed. */
  detail: string;
  /** Models the server offers, when it says. */
  models?: string[];
  /** Whether the configured model is among them (undefined when the server does not list models). */
  modelAvailable?: boolean;
}

export interface LlmProvider {
  readonly id: ProviderId;
  readonly model: string;
  readonly url?: string;
  /** Streams a reply. Throws ProgenyError (exit 4) on failures; stops promptly when the signal aborts. */
  chat(req: ChatRequest): AsyncIterable<LlmChunk>;
  /** Embeds texts with the provider's embedding model. */
  embed(texts: string[], opts: { model: string; signal?: AbortSignal }): Promise<Float32Array[]>;
  probe(signal?: AbortSignal): Promise<ProbeResult>;
  close(): Promise<void>;
}
