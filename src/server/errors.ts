/**
 * HTTP errors: every failure leaves the server as `{ "error": { code, message, hint, details? } }` with a status that
 * says who is at fault (4xx the client, 5xx the server or the model behind it). ProgenyErrors keep their stable codes;
 * fastify's own errors (bad JSON, body too large, schema validation) get codes of ours and a hint.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ProgenyError, toProgenyError, type ErrorJson } from '../core/errors.js';
import { closeIfBodyUnread } from './unread-body.js';

const BY_CODE: Record<string, number> = {
  NOT_FOUND: 404,
  NO_HERITAGE: 409,
  ALREADY_INITIALISED: 409,
  UNAUTHENTICATED: 401,
  INVALID_TOKEN: 401,
  RATE_LIMITED: 429,
  BODY_TOO_LARGE: 413,
  DEAD: 503,
  LLM_TIMEOUT: 504,
  LLM_RATE_LIMITED: 503,
  INTERRUPTED: 499,
};

const BY_EXIT: Record<number, number> = { 2: 400, 3: 500, 4: 502, 5: 503, 6: 502, 7: 403, 130: 499 };

export function statusFor(err: ProgenyError): number {
  return BY_CODE[err.code] ?? BY_EXIT[err.exitCode] ?? 500;
}

export const httpError = (
  status: number,
  code: string,
  message: string,
  hint?: string,
  details?: unknown,
): ProgenyError => {
  const e = new ProgenyError(code, message, {
    ...(hint ? { hint } : {}),
    ...(details === undefined ? {} : { details }),
  });
  (e as ProgenyError & { status?: number }).status = status;
  return e;
};

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

const FASTIFY_CODES: Record<string, [string, string]> = {
  FST_ERR_CTP_BODY_TOO_LARGE: ['BODY_TOO_LARGE', 'send a smaller body (see server.bodyLimit), or split a batch'],
  FST_ERR_CTP_INVALID_JSON_BODY: ['MALFORMED_JSON', 'the body must be valid JSON'],
  FST_ERR_CTP_EMPTY_JSON_BODY: ['MALFORMED_JSON', 'the body is empty; send a JSON object'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: ['UNSUPPORTED_MEDIA_TYPE', 'send Content-Type: application/json'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: ['BAD_REQUEST', 'the Content-Length does not match the body'],
};

export function toHttpError(err: unknown): { status: number; body: ErrorJson } {
  const fe = err as FastifyError & { status?: number };
  if (fe && typeof fe === 'object' && Array.isArray(fe.validation)) {
    const details = validationDetails(fe);
    const first = details[0];
    return {
      status: 400,
      body: {
        code: 'VALIDATION',
        message: first ? `${first.field} ${first.reason}` : 'invalid request',
        hint: 'see docs/api.md for the request schema',
        details,
      },
    };
  }
  if (err instanceof ProgenyError) {
    const status = (err as ProgenyError & { status?: number }).status ?? statusFor(err);
    return { status, body: err.toJSON() };
  }
  if (fe && typeof fe === 'object' && typeof fe.code === 'string' && fe.code.startsWith('FST_')) {
    const status = typeof fe.statusCode === 'number' ? fe.statusCode : 500;
    const [code, hint] = FASTIFY_CODES[fe.code] ?? [status < 500 ? 'BAD_REQUEST' : 'INTERNAL', 'see docs/api.md'];
    if (status < 500) return { status, body: { code, message: fe.message.replace(/^FST_\w+:\s*/, ''), hint } };
  }
  // JSON.parse failures from body parsing and similar client-side syntax errors.
  if (
    fe &&
    typeof fe === 'object' &&
    typeof fe.statusCode === 'number' &&
    fe.statusCode >= 400 &&
    fe.statusCode < 500
  ) {
    return { status: fe.statusCode, body: { code: 'BAD_REQUEST', message: fe.message, hint: 'see docs/api.md' } };
  }
  const e = toProgenyError(err);
  return {
    status: e.code === 'INTERRUPTED' ? 499 : 500,
    body: {
      code: e.code === 'UNEXPECTED' ? 'INTERNAL' : e.code,
      message: e.message,
      hint: 'this is a bug in progeny; the server log has the details',
    },
  };
}

export function sendError(req: FastifyRequest, reply: FastifyReply, err: unknown): FastifyReply {
  const { status, body } = toHttpError(err);
  closeIfBodyUnread(req, reply);
  if (status >= 500) req.log.error({ err }, 'request failed');
  return reply.code(status).send({ error: body });
}
