/**
 * One model request with a total deadline, retries and error mapping. Streams are retried only until their first
 * token has been handed to the caller, so a retry can never repeat words the user has already seen; the final
 * `done` chunk is handed over only after the body has ended, so a finished reply leaves its socket reusable.
 */
import type { ProgenyError } from '../errors.js';
import { httpStatusError, toLlmError, type FailureContext } from './classify.js';
import { Deadline, sleep } from './deadline.js';
import { isRetryable, retryDelay, type RetryPolicy } from './retry.js';
import type { HttpReply, Transport } from './transport.js';
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
}

async function open(c: Caller, spec: RequestSpec, deadline: Deadline): Promise<HttpReply> {
  const reply = await c.transport.send(spec.method, spec.path, spec.body, deadline.signal);
  if (reply.status < 200 || reply.status >= 300) throw await httpStatusError(reply, c.ctx, spec.modelRoute ?? false);
  const type = String(reply.headers['content-type'] ?? '');
  if (/^\s*text\/html/i.test(type)) {
    // A proxy or captive portal answering in a model server's place; SSE parsing would just see "no events".
    reply.body.destroy();
    throw new WireError('bad_response', 'the server answered with an HTML page, not a model reply');
  }
  return reply;
}

/** Waits before the next attempt, or returns false when no retry is allowed or the deadline would pass first. */
async function mayRetry(c: Caller, err: ProgenyError, attempt: number, retries: number, d: Deadline): Promise<boolean> {
  if (attempt >= retries || !isRetryable(err)) return false;
  const wait = retryDelay(err, attempt, c.retry);
  if (wait >= d.remainingMs()) return false;
  await sleep(wait, d.signal);
  return true;
}

export async function* streamRequest(
  c: Caller,
  spec: RequestSpec,
  decode: (body: AsyncIterable<Uint8Array>) => AsyncIterable<LlmChunk>,
): AsyncGenerator<LlmChunk> {
  const deadline = new Deadline(spec.timeoutMs ?? c.timeoutMs, spec.signal);
  const retries = spec.retries ?? c.retry.retries;
  let yielded = false;
  try {
    for (let attempt = 0; ; attempt++) {
      let reply: HttpReply | undefined;
      try {
        reply = await open(c, spec, deadline);
        for await (const chunk of decode(reply.body)) {
          if (chunk.type === 'token') yielded = true;
          yield chunk;
        }
        return;
      } catch (err) {
        const mapped = toLlmError(err, c.ctx, deadline, reply !== undefined);
        if (yielded || !(await mayRetry(c, mapped, attempt, retries, deadline).catch(() => false))) {
          throw deadline.cancelled || deadline.timedOut ? toLlmError(err, c.ctx, deadline, true) : mapped;
        }
      } finally {
        // Early exit (the caller stopped reading, an error, an abort): drop the connection, never reuse it half-read.
        if (reply && !reply.body.readableEnded) reply.body.destroy();
      }
    }
  } finally {
    deadline.dispose();
  }
}

const MAX_JSON_BODY = 256 * 1024 * 1024;

async function readJson(reply: HttpReply): Promise<unknown> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of reply.body) {
    size += (chunk as Buffer).length;
    if (size > MAX_JSON_BODY) throw new WireError('bad_response', `the reply is larger than ${MAX_JSON_BODY} bytes`);
    parts.push(chunk as Buffer);
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
  const deadline = new Deadline(spec.timeoutMs ?? c.timeoutMs, spec.signal);
  const retries = spec.retries ?? c.retry.retries;
  try {
    for (let attempt = 0; ; attempt++) {
      let reply: HttpReply | undefined;
      try {
        reply = await open(c, spec, deadline);
        return parse(await readJson(reply));
      } catch (err) {
        const mapped = toLlmError(err, c.ctx, deadline, reply !== undefined);
        if (!(await mayRetry(c, mapped, attempt, retries, deadline).catch(() => false))) {
          throw deadline.cancelled || deadline.timedOut ? toLlmError(err, c.ctx, deadline, true) : mapped;
        }
      } finally {
        if (reply && !reply.body.readableEnded) reply.body.destroy();
      }
    }
  } finally {
    deadline.dispose();
  }
}
