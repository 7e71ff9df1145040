/**
 * Scripted misbehaviour for the LLM test double. A fault is a set of options (they combine, e.g. a delay before a
 * 429); faults are queued for the next N matching requests or set for all of them.
 */

export type DoubleRoute = 'chat' | 'embed' | 'tags' | 'version' | 'models' | 'ps' | 'show';
export type DoubleProtocol = 'ollama' | 'openai';

export interface LlmFault {
  /** Wait this long before sending the status line and headers. */
  delayHeadersMs?: number;
  /** Close the connection without answering, as a crashing server or a dropping proxy would. */
  dropConnection?: boolean;
  /** Accept the request and never answer (the socket stays open until the client or close() ends it). */
  hang?: boolean;
  /** Wait this long before each streamed chunk. */
  tokenDelayMs?: number;
  /** Answer 200 with a payload that is not JSON (a stream line / SSE data / JSON body). */
  nonJson?: boolean;
  /** Answer 200 with an HTML page, as a proxy or captive portal would. */
  html?: boolean;
  /** Embeddings of this dimension instead of the server's own (a model swapped behind the same name). */
  embedDims?: number;
  /** Answer 200 with JSON of the wrong shape. */
  wrongShape?: boolean;
  /** Destroy the socket after this many streamed chunks (0: right after the headers). */
  cutAfterChunks?: number;
  /** End the stream cleanly but without its final message(s). */
  omitFinal?: boolean;
  /** Write every chunk in pieces of this many bytes (splitting UTF-8 sequences), each in its own write. */
  fragmentBytes?: number;
  /** Answer with this HTTP status and the protocol's error body (401, 404, 429, 500, 503, …). */
  status?: number;
  /** Retry-After header value sent with `status`. */
  retryAfter?: string;
  /** The error message in the body sent with `status`. */
  message?: string;
  /** Answer as the server does for a model it does not have (404 with the protocol's message). */
  modelMissing?: boolean;
  /**
   * Ollama: answer a chat with nothing but `{"message":{"content":""},"done":true,"done_reason":"load"}`, as Ollama
   * does when a request only loaded the model.
   */
  doneReasonLoad?: boolean;
  /**
   * Report an error inside a 200 stream after this many chunks: Ollama writes a `{"error":"…"}` line, an
   * OpenAI-compatible server an `event: error` (as vLLM and llama.cpp's server do), then the stream ends.
   */
  midStreamError?: { afterChunks: number; message?: string };
  /**
   * OpenAI-compatible: SSE comment lines before the first chunk, `count` of them `everyMs` apart, as OpenRouter sends
   * `: OPENROUTER PROCESSING` while a model is queued or thinking (clients must ignore them).
   */
  keepAliveComments?: { count: number; everyMs: number };
  /**
   * OpenAI-compatible: a 400 naming the first of these body parameters the request carries ("Unsupported parameter"),
   * as a server does for a parameter it does not accept.
   */
  refuseParams?: string[];
}

interface Queued {
  fault: LlmFault;
  remaining: number;
  route: DoubleRoute | undefined;
}

export class FaultPlan {
  private queue: Queued[] = [];
  private always: { fault: LlmFault; route: DoubleRoute | undefined } | undefined;

  /** The next `times` requests (on `route`, or any route) get `fault`. */
  next(fault: LlmFault, times = 1, route?: DoubleRoute): void {
    this.queue.push({ fault, remaining: times, route });
  }

  /** Every request (on `route`, or any) gets `fault` until cleared with undefined; queued faults come first. */
  setAlways(fault: LlmFault | undefined, route?: DoubleRoute): void {
    this.always = fault ? { fault, route } : undefined;
  }

  take(route: DoubleRoute): LlmFault {
    const i = this.queue.findIndex((q) => q.route === undefined || q.route === route);
    const q = this.queue[i];
    if (q) {
      if (--q.remaining <= 0) this.queue.splice(i, 1);
      return q.fault;
    }
    if (this.always && (this.always.route === undefined || this.always.route === route)) return this.always.fault;
    return {};
  }

  reset(): void {
    this.queue = [];
    this.always = undefined;
  }
}
