/**
 * The relay's error replies: the server's one envelope, `{ "error": { code, message, hint?, details? } }`
 * (docs/errors.md), with SYNC_* codes that clients act on (SYNC_SEQ_GAP carries details.expectedDeviceSeq,
 * SYNC_REVOKED ends a device's sync). Routes throw ProgenyErrors; this handler also maps fastify's own failures
 * (schema validation, bad JSON, body too large) onto sync codes, so a device never sees an API code from its relay.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ProgenyError } from '../../core/errors.js';
import { sendError } from '../errors.js';

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

/** fastify's own 4xx failures as relay errors; anything else is left to the server's mapping (a 500). */
function asRelayError(err: FastifyError): unknown {
  if (err instanceof ProgenyError) return err;
  if (Array.isArray(err.validation)) return new ProgenyError('SYNC_BAD_REQUEST', validationMessage(err));
  const status = typeof err.statusCode === 'number' ? err.statusCode : 500;
  if (status === 413) return new ProgenyError('SYNC_TOO_LARGE', 'the body is larger than this route accepts');
  if (status >= 400 && status < 500) return new ProgenyError('SYNC_BAD_REQUEST', err.message);
  return err;
}

/** Sets Retry-After (whole seconds, at least 1) on a reply about to fail with 429. */
export function retryAfter(reply: FastifyReply, seconds: number): void {
  void reply.header('retry-after', String(Math.max(1, Math.ceil(seconds))));
}

export function relayErrorHandler(err: FastifyError, req: FastifyRequest, reply: FastifyReply): FastifyReply {
  return sendError(req, reply, asRelayError(err));
}
