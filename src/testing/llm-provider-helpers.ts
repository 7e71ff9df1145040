/** Helpers for provider tests: quick options against the double, draining a stream into tokens or an error. */
import { createServer } from 'node:net';
import type { HttpProviderOptions } from '../core/llm/http-provider.js';
import type { ChatRequest, LlmChunk } from '../core/llm/types.js';
import type { RecordedRequest } from './llm-double.js';

/** Options with tiny timeouts and retry waits, so failure tests stay fast. */
export function quickOptions(url: string, over: Partial<HttpProviderOptions> = {}): HttpProviderOptions {
  return {
    url,
    model: 'llama3.2',
    timeoutMs: 3_000,
    connectTimeoutMs: 500,
    idleTimeoutMs: 1_000,
    retries: 2,
    retryBaseMs: 5,
    retryMaxMs: 20,
    maxTokens: 64,
    ...over,
  };
}

export const HELLO: ChatRequest = {
  messages: [
    { role: 'system', content: 'You are a warm companion.' },
    { role: 'user', content: 'Hi! I went to the café with Zoë.' },
  ],
  temperature: 0.84,
  maxTokens: 128,
};

export interface Drained {
  tokens: string[];
  thinking: string[];
  /** The model the provider said it was waiting to load, if it did. */
  loading: string | undefined;
  done: Extract<LlmChunk, { type: 'done' }> | undefined;
  error: (Error & { code?: string; hint?: string; exitCode?: number; details?: unknown }) | undefined;
}

export async function drain(stream: AsyncIterable<LlmChunk>, onToken?: (i: number) => void): Promise<Drained> {
  const out: Drained = { tokens: [], thinking: [], loading: undefined, done: undefined, error: undefined };
  try {
    for await (const chunk of stream) {
      if (chunk.type === 'token') {
        out.tokens.push(chunk.text);
        onToken?.(out.tokens.length);
      } else if (chunk.type === 'thinking') out.thinking.push(chunk.text);
      else if (chunk.type === 'loading') out.loading = chunk.model;
      else out.done = chunk;
    }
  } catch (err) {
    out.error = err as Drained['error'];
  }
  return out;
}

/** A loopback port nobody listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/** The chat requests a double received (an Ollama chat may first ask /api/ps whether the model is loaded). */
export function chatRequests(double: { requests: readonly RecordedRequest[] }): RecordedRequest[] {
  return double.requests.filter((r) => r.route === 'chat');
}
