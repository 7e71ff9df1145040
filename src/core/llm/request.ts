/**
 * One model request with a total deadline, idle timeouts, retries and error mapping. Streams are retried only until
 * their first token has been handed to the caller, so a retry can never repeat words the user has already seen; the
 * final `done` chunk is handed over only after the body has ended, so a finished reply leaves its socket reusable.
 */
import type { ProgenyError } from '../errors.js';
import { httpStatusError, toLlmError, type FailureContext } from './classify.js';
import { sleep } from '../retry.js';
import { Deadline } from './deadline.js';
import { isRetryable, retryDelay, type RetryPolicy } from './retry.js';
import { discardBody, type HttpReply, type Transport } from './transport.js';
import type { LlmChunk } from './types.js';
import { snippet, WireError } from './wire-error.js';

export interface Caller {
  transport: Transport;
  ctx: FailureContext;
  retry: RetryPolicy;
  timeoutMs: number;
}

export interface RequestSpec {
  method: 'GET' | 'POST';
  path: string;
  body?: unknown;
  /** A 404 here means the model is missing (chat and embed routes). */
  modelRoute?: boolean;
  signal?: AbortSignal;
  /** Overrides for this request (probes are quick and not retried). */
  timeoutMs?: number;
  retries?: number;
  /**
   * The server loads the model before it answers and sends no headers meanwhile (Ollama): wait this long for them
   * (llm.loadTimeoutMs) instead of connect + idle timeouts.
   */
  loadWaitMs?: number;
}

/** How much later than the load deadline undici's header timeout is set, so the load deadline always fires first. */
const LOAD_TIMER_MARGIN_MS = 1_000;

async function open(c: Caller, spec: RequestSpec, deadline: Deadline): Promise<HttpReply> {
  const wait = spec.loadWaitMs ?? c.ctx.connectTimeoutMs + c.ctx.idleTimeoutMs;
  deadline.armIdle(wait, spec.loadWaitMs === undefined ? 'headers' : 'load');
  let reply: HttpReply;
  try {
    // undici's own header timer gets a margin over ours: both at loadWaitMs raced, and when undici's fired first the
    // error named llm.idleTimeoutMs instead of llm.loadTimeoutMs.
    const headersMs = spec.loadWaitMs === undefined ? undefined : spec.loadWaitMs + LOAD_TIMER_MARGIN_MS;
    reply = await c.transport.send(spec.method, spec.path, spec.body, deadline.signal, headersMs);
  } finally {
    // Also on failure: a timer left armed would fire during the retry's backoff and abort it.
    deadline.disarmIdle();
  }
  if (reply.status < 200 || reply.status >= 300) throw await httpStatusError(reply, c.ctx, spec.modelRoute ?? false);
  const type = String(reply.headers['content-type'] ?? '');
  if (/^\s*text\/html/i.test(type)) {
    // A proxy or captive portal answering in a model server's place; SSE parsing would just see "no events".
    discardBody(reply.body);
    throw new WireError('bad_response', 'the server answered with an HTML page, not a model reply');
  }
  return reply;
}

/** The body's chunks, with the idle timer running only while we wait for the next one. */
async function* watchIdle(body: HttpReply['body'], deadline: Deadline, idleMs: number): AsyncGenerator<Uint8Array> {
  const it = (body as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
  try {
    for (;;) {
      deadline.armIdle(idleMs, 'body');
      const next = await it.next();
      deadline.disarmIdle();
      if (next.done) return;
      yield next.value;
    }
  } finally {
    deadline.disarmIdle();
    discardBody(body);
  }
}

/** Waits before the next attempt, or returns false when no retry is allowed or the deadline would pass first. */
async function mayRetry(c: Caller, err: ProgenyError, attempt: number, retries: number, d: Deadline): Promise<boolean> {
  if (attempt >= retries || !isRetryable(err)) return false;
  const wait = retryDelay(err, attempt, c.retry);
  if (wait >= d.remainingMs()) return false;
  return sleep(wait, d.signal).then(
    () => true,
    () => false,
  );
}

interface Progress {
  /** This attempt's reply headers arrived (a closed socket then means "cut off", not "never came"). */
  replied: boolean;
  /** Output reached the caller: no retry from here on. */
  began: boolean;
}

/** Runs attempts until one succeeds or an error may not be retried. */
async function* withRetries<T>(
  c: Caller,
  spec: RequestSpec,
  attemptOnce: (deadline: Deadline, progress: Progress) => AsyncGenerator<T>,
): AsyncGenerator<T> {
  const deadline = new Deadline(spec.timeoutMs ?? c.timeoutMs, spec.signal);
  const retries = spec.retries ?? c.retry.retries;
  const progress: Progress = { replied: false, began: false };
  try {
    for (let attempt = 0; ; attempt++) {
      progress.replied = false;
      try {
        yield* attemptOnce(deadline, progress);
        return;
      } catch (err) {
        const mapped = toLlmError(err, c.ctx, deadline, progress.replied);
        const retry = !progress.began && (await mayRetry(c, mapped, attempt, retries, deadline));
        // A cancel or timeout during the backoff wait is reported as such, not as the error that caused the wait.
        if (!retry) throw deadline.cancelled || deadline.timedOut ? toLlmError(err, c.ctx, deadline, true) : mapped;
      }
    }
  } finally {
    deadline.dispose();
  }
}

export function streamRequest(
  c: Caller,
  spec: RequestSpec,
  decode: (body: AsyncIterable<Uint8Array>) => AsyncIterable<LlmChunk>,
): AsyncGenerator<LlmChunk> {
  return withRetries(c, spec, async function* (deadline, progress) {
    const reply = await open(c, spec, deadline);
    progress.replied = true;
    for await (const chunk of decode(watchIdle(reply.body, deadline, c.ctx.idleTimeoutMs))) {
      // Reasoning reached the caller as much as words did: a retry would show it twice.
      if (chunk.type === 'token' || chunk.type === 'thinking') progress.began = true;
      yield chunk;
    }
  });
}

const MAX_JSON_BODY = 256 * 1024 * 1024;

async function readJson(body: AsyncIterable<Uint8Array>): Promise<unknown> {
  const parts: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > MAX_JSON_BODY) throw new WireError('bad_response', `the reply is larger than ${MAX_JSON_BODY} bytes`);
    parts.push(chunk);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(parts));
  } catch {
    throw new WireError('bad_response', 'the reply is not valid UTF-8');
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new WireError('bad_response', `the reply is not JSON: ${snippet(text)}`);
  }
}

/** A JSON request/reply; `parse` validates the reply's shape (throwing WireError) inside the error mapping. */
export async function jsonRequest<T>(c: Caller, spec: RequestSpec, parse: (value: unknown) => T): Promise<T> {
  const results = withRetries(c, spec, async function* (deadline, progress) {
    const reply = await open(c, spec, deadline);
    progress.replied = true;
    yield parse(await readJson(watchIdle(reply.body, deadline, c.ctx.idleTimeoutMs)));
  });
  for await (const value of results) return value;
  throw new Error('unreachable: a JSON request ended without a value or an error');
}
