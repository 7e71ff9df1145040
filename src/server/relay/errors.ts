/**
 * The relay's error replies: `{ "error": { code, message, hint? }, ...extra }` like the API's (docs/api.md, "Errors"),
 * with SYNC_* codes that clients act on (SYNC_SEQ_GAP carries expectedDeviceSeq, SYNC_REVOKED ends a device's sync).
 * Every relay error is built here, and the scope's error handler maps fastify's own failures (schema validation, bad
 * JSON, body too large) onto the same envelope.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';

export function sendError(
  reply: FastifyReply,
  status: number,
  code: string,
  message: string,
  extra: Record<string, unknown> = {},
): FastifyReply {
  return reply.code(status).send({ error: { code, message }, ...extra });
}

/** A thrown relay failure that the scope's error handler turns into sendError. */
export class RelayError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

interface ValidationItem {
  instancePath: string;
  message?: string;
  params: Record<string, unknown>;
}

function validationMessage(err: FastifyError): string {
  const v = (err.validation ?? [])[0] as ValidationItem | undefined;
  if (!v) return 'invalid request';
  const path = v.instancePath.split('/').filter(Boolean).join('.');
  const extra = v.params.missingProperty ?? v.params.additionalProperty;
  const field = [err.validationContext ?? 'body', path, extra ? String(extra) : ''].filter(Boolean).join('.');
  return `${field} ${v.params.missingProperty ? 'is required' : (v.message ?? 'is invalid')}`;
}

export function relayErrorHandler(err: FastifyError, req: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (err instanceof RelayError) return sendError(reply, err.status, err.code, err.message, err.extra);
  if (Array.isArray(err.validation)) return sendError(reply, 400, 'SYNC_BAD_REQUEST', validationMessage(err));
  const status = typeof err.statusCode === 'number' ? err.statusCode : 500;
  if (status === 413) return sendError(reply, 413, 'SYNC_TOO_LARGE', 'the body is larger than this route accepts');
  if (status >= 400 && status < 500) return sendError(reply, status, 'SYNC_BAD_REQUEST', err.message);
  req.log.error({ err }, 'relay request failed');
  return sendError(reply, 500, 'INTERNAL', 'the relay failed; its log has the details');
}
