/**
 * Maps whatever a request threw (undici and socket errors, decoder WireErrors, HTTP statuses) to the LLM layer's
 * ProgenyErrors. Cancellation by the caller wins over everything and becomes INTERRUPTED.
 */
import { interrupted, isProgenyError, type ProgenyError } from '../errors.js';
import type { Deadline } from './deadline.js';
import { llmErrors, type LlmErrorContext } from './errors.js';
import { parseRetryAfter } from '../retry.js';
import { errorMessageOf, isRecord } from './shape.js';
import { discardBody, type HttpReply } from './transport.js';
import { snippet, WireError } from './wire-error.js';

export interface FailureContext extends LlmErrorContext {
  connectTimeoutMs: number;
  idleTimeoutMs: number;
}

const MODEL_MISSING = /model\b.*\b(not found|does not exist|not available|unknown)|no such model|model_not_found/i;

function errnoOf(err: unknown): string | undefined {
  const e = err as { code?: unknown; cause?: { code?: unknown }; errors?: { code?: unknown }[] };
  const code = e?.code ?? e?.cause?.code ?? e?.errors?.[0]?.code;
  return typeof code === 'string' ? code : undefined;
}

/** `gotHeaders`: whether the reply had begun, so a closed connection reads as "cut" rather than "never came". */
export function toLlmError(err: unknown, ctx: FailureContext, deadline: Deadline, gotHeaders: boolean): ProgenyError {
  if (deadline.cancelled) return interrupted('the model request was cancelled');
  const idle = deadline.idleExpired;
  if (idle === 'headers') {
    const ms = deadline.idleLimitMs;
    return llmErrors.timeout(ctx, `did not start its reply within ${ms} ms`, 'llm.idleTimeoutMs', err);
  }
  if (idle === 'load') {
    const what = `did not load model ${ctx.model} and start its reply within ${deadline.idleLimitMs} ms`;
    return llmErrors.timeout(ctx, what, 'llm.loadTimeoutMs', err);
  }
  if (idle === 'body') {
    return llmErrors.timeout(ctx, `went silent for ${ctx.idleTimeoutMs} ms mid-reply`, 'llm.idleTimeoutMs', err);
  }
  if (deadline.timedOut) {
    return llmErrors.timeout(ctx, `did not finish the request within ${deadline.timeoutMs} ms`, 'llm.timeoutMs', err);
  }
  if (isProgenyError(err)) return err;
  if (err instanceof WireError) {
    if (err.kind === 'stream_cut') return llmErrors.streamCut(ctx, err.message, err);
    if (err.kind === 'server_error') {
      return MODEL_MISSING.test(err.message)
        ? llmErrors.modelMissing(ctx, undefined, err.message)
        : llmErrors.serverError(ctx, err.message);
    }
    return llmErrors.badResponse(ctx, err.message, err);
  }
  switch (errnoOf(err)) {
    case 'ECONNREFUSED':
      return llmErrors.unreachable(ctx, 'connection refused', err);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return llmErrors.unreachable(ctx, 'host not found', err);
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'ETIMEDOUT':
      return llmErrors.unreachable(ctx, `no connection within ${ctx.connectTimeoutMs} ms`, err);
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EADDRNOTAVAIL':
      return llmErrors.unreachable(ctx, 'no route to the host', err);
    case 'UND_ERR_HEADERS_TIMEOUT':
      return llmErrors.timeout(ctx, `sent no reply within ${ctx.idleTimeoutMs} ms`, 'llm.idleTimeoutMs', err);
    case 'UND_ERR_BODY_TIMEOUT':
      return llmErrors.timeout(ctx, `went silent for ${ctx.idleTimeoutMs} ms mid-reply`, 'llm.idleTimeoutMs', err);
    case 'UND_ERR_SOCKET':
    case 'ECONNRESET':
    case 'EPIPE':
      return llmErrors.streamCut(
        ctx,
        gotHeaders ? 'was cut off: the connection closed mid-reply' : 'never came: the connection closed first',
        err,
      );
    default: {
      if (/^HPE_/.test(errnoOf(err) ?? '')) return llmErrors.badResponse(ctx, 'the reply is not valid HTTP', err);
      const why = err instanceof Error ? err.message : String(err);
      return llmErrors.unreachable(ctx, snippet(why), err);
    }
  }
}

const MAX_ERROR_BODY = 16 * 1024;

interface ServerComplaint {
  message?: string;
  /** The request parameter the error is about (OpenAI's error.param), if it names one. */
  param?: string;
}

/** The parameter a 400 refuses: OpenAI's error.param, or "Unsupported parameter/value: 'x'" in the message. */
function refusedParam(body: unknown, message: string | undefined): string | undefined {
  const e = isRecord(body) ? body['error'] : undefined;
  if (isRecord(e) && typeof e['param'] === 'string' && e['param']) return e['param'];
  return /unsupported (?:parameter|value)s?:? '?([a-z_]+)'?/i.exec(message ?? '')?.[1];
}

/** Reads at most 16 KiB of an error body and returns the server's own message, if any. */
async function serverComplaint(reply: HttpReply): Promise<ServerComplaint> {
  const parts: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of reply.body) {
      parts.push(chunk as Buffer);
      size += (chunk as Buffer).length;
      if (size >= MAX_ERROR_BODY) break;
    }
  } catch {
    // An error body that breaks off still tells us the status; the message is a bonus.
  } finally {
    discardBody(reply.body);
  }
  const text = Buffer.concat(parts).subarray(0, MAX_ERROR_BODY).toString('utf8');
  if (text.trim() === '') return {};
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { message: snippet(text, 300) };
  }
  const message = snippet(errorMessageOf(body) ?? text, 300);
  const param = refusedParam(body, message);
  return { message, ...(param ? { param } : {}) };
}

/** The error for a non-2xx reply. `modelRoute`: a 404 here means the model is missing (chat, embed). */
export async function httpStatusError(
  reply: HttpReply,
  ctx: LlmErrorContext,
  modelRoute: boolean,
): Promise<ProgenyError> {
  const { message: msg, param } = await serverComplaint(reply);
  const status = reply.status;
  const retryAfterMs = parseRetryAfter((name) => {
    const v = reply.headers[name];
    return Array.isArray(v) ? v[0] : v;
  });
  if (status === 401 || status === 403) return llmErrors.auth(ctx, status, msg);
  if (status === 429) return llmErrors.rateLimited(ctx, retryAfterMs, msg);
  if (status >= 400 && status < 500 && msg !== undefined && MODEL_MISSING.test(msg)) {
    return llmErrors.modelMissing(ctx, status, msg);
  }
  if (status === 404 && modelRoute && msg !== undefined && /model/i.test(msg)) {
    return llmErrors.modelMissing(ctx, status, msg);
  }
  return llmErrors.http(ctx, status, msg, retryAfterMs, status === 400 ? param : undefined);
}
