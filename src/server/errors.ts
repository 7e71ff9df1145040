/**
 * HTTP errors: every failure leaves the server (API, OpenAI endpoint and relay alike) as
 * `{ "error": { code, message, hint, details? } }` with the status the catalogue gives its code (docs/errors.md):
 * 4xx the client is at fault, 5xx the server or the model behind it. fastify's own errors (bad JSON, body too large,
 * schema validation) get codes of ours.
 */
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ProgenyError, toProgenyError, type ErrorCode, type ErrorJson } from '../core/errors.js';
import { JsonBodyError } from './json-body.js';
import { closeIfBodyUnread } from './unread-body.js';

interface ValidationItem {
  instancePath: string;
  message?: string;
  params: Record<string, unknown>;
}

/** "body.items[0].text: must be string" — the field and the reason, as the client sent it. */
function validationDetails(err: FastifyError): { field: string; reason: string }[] {
  const where = err.validationContext ?? 'body';
  return ((err.validation ?? []) as ValidationItem[]).map((v) => {
    const path = v.instancePath
      .split('/')
      .filter(Boolean)
      .map((p) => (/^\d+$/.test(p) ? `[${p}]` : `.${p}`))
      .join('');
    const extra = v.params.missingProperty ?? v.params.additionalProperty;
    const field = `${where}${path}${extra ? `.${String(extra)}` : ''}`;
    const reason = v.params.additionalProperty
      ? 'is not a known field'
      : v.params.missingProperty
        ? 'is required'
        : (v.message ?? 'is invalid');
    return { field, reason };
  });
}

const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'BODY_TOO_LARGE',
  FST_ERR_CTP_INVALID_JSON_BODY: 'MALFORMED_JSON',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'MALFORMED_JSON',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'BAD_REQUEST',
  FST_ERR_MAX_PARAM_LENGTH: 'URI_TOO_LONG',
  FST_ERR_BAD_URL: 'BAD_REQUEST',
};

const FASTIFY_HINTS: Partial<Record<string, string>> = {
  FST_ERR_CTP_EMPTY_JSON_BODY: 'the body is empty; send a JSON object',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'the Content-Length does not match the body',
};

/** A fastify or body-parser error caused by the request (4xx), as one of our errors; undefined otherwise. */
function clientFault(err: unknown): ProgenyError | undefined {
  const fe = err as FastifyError;
  if (!fe || typeof fe !== 'object') return undefined;
  if (Array.isArray(fe.validation)) {
    const details = validationDetails(fe);
    const first = details[0];
    return new ProgenyError('VALIDATION', first ? `${first.field} ${first.reason}` : 'invalid request', { details });
  }
  if (typeof fe.statusCode !== 'number' || fe.statusCode < 400 || fe.statusCode >= 500) return undefined;
  const message = fe.message.replace(/^FST_\w+:\s*/, '');
  const code = typeof fe.code === 'string' ? FASTIFY_CODES[fe.code] : undefined;
  const hint = typeof fe.code === 'string' ? FASTIFY_HINTS[fe.code] : undefined;
  return new ProgenyError(code ?? 'BAD_REQUEST', message, hint ? { hint } : {});
}

export function toHttpError(err: unknown): { status: number; body: ErrorJson } {
  const e = err instanceof ProgenyError ? err : (clientFault(err) ?? toProgenyError(err));
  // A thrown non-progeny error is a bug of the server: say so in the server's words, not the CLI's.
  const shown = e.code === 'UNEXPECTED' ? new ProgenyError('INTERNAL', e.message) : e;
  return { status: shown.httpStatus, body: shown.toJSON() };
}

export function sendError(req: FastifyRequest, reply: FastifyReply, err: unknown): FastifyReply {
  const { status, body } = toHttpError(err);
  closeIfBodyUnread(req, reply);
  if (status >= 500) req.log.error({ err }, 'request failed');
  return reply.code(status).send({ error: body });
}

/** A strict-JSON failure of a request body as one of our errors: MALFORMED_JSON, or VALIDATION naming the field. */
export function jsonBodyError(err: unknown): ProgenyError {
  if (!(err instanceof JsonBodyError)) return toProgenyError(err);
  if (err.kind === 'syntax') return new ProgenyError('MALFORMED_JSON', err.message);
  return new ProgenyError('VALIDATION', err.message, { details: [{ field: err.field, reason: err.reason }] });
}

/** A whole HTTP/1.1 reply with the error envelope, for a socket that has no fastify reply (upgrades, parse errors). */
export function rawErrorReply(err: unknown): string {
  const { status, body } = toHttpError(err);
  const json = JSON.stringify({ error: body });
  return (
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\nContent-Type: application/json; charset=utf-8\r\n` +
    `Content-Length: ${Buffer.byteLength(json)}\r\nConnection: close\r\n\r\n${json}`
  );
}

/** fastify's clientErrorHandler: what node's HTTP parser refuses (bad syntax, oversized headers, a slow request). */
export function refuseClientError(err: Error & { code?: string }, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  if (!socket.writable) return void socket.destroy();
  const e =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? new ProgenyError('HEADERS_TOO_LARGE', 'the request line and headers are larger than the server accepts')
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? new ProgenyError('REQUEST_TIMEOUT', 'the request did not arrive in time')
        : new ProgenyError('BAD_REQUEST', 'the request is not valid HTTP');
  socket.end(rawErrorReply(e));
}
