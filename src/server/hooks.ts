/**
 * The server's per-request hooks: bearer-token auth, the per-token rate limit and the route's capability, then
 * (after the route) compression and metrics; and the handlers that turn bad bodies, errors and unknown routes into
 * the error envelope.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ProgenyError } from '../core/errors.js';
import { type Authorize, RateLimitedError } from './admission.js';
import type { Authenticator } from './auth.js';
import { compress, needsCompression } from './compress.js';
import type { RouteContext } from './context.js';
import { jsonBodyError, sendError } from './errors.js';
import { parseJsonBody } from './json-body.js';
import { ADMITTED, type AdmittedRequest } from './fast-path.js';

// With logs on, each request's lines carry its route and the id of its token (never the token: docs/monitoring.md).
const tagLog = (req: FastifyRequest, reply: FastifyReply, tokenId?: string): void => {
  const child = req.log.child(tokenId ? { route: req.routeUrl, tokenId } : { route: req.routeUrl });
  req.log = child;
  reply.log = child;
};

const isStream = (payload: unknown): boolean =>
  typeof payload === 'object' && payload !== null && typeof (payload as { pipe?: unknown }).pipe === 'function';

type ResponseHook = (req: FastifyRequest, reply: FastifyReply, done: () => void) => void;

/** Adds the hooks; returns the onResponse hook that records metrics for the routes that write their own reply. */
export function addRequestHooks(
  app: FastifyInstance,
  ctx: RouteContext,
  auth: Authenticator,
  authorize: Authorize,
  logging: boolean,
): ResponseHook {
  // Declared up front so every request object is created with these fields (fastify's advice: adding them in a hook
  // changes the object's shape on each request).
  app.decorateRequest('principal', undefined);
  app.decorateRequest('routeUrl', undefined);
  app.decorateRequest('startedAt', 0);
  // Callback-style hooks: no promise per request on the hot path (GET /v1/state is measured against bare node:http).
  // Named, so a CPU profile tells each layer apart (scripts/profile-layers.mjs, docs/performance.md).
  app.addHook('onRequest', function authenticateRequest(req, reply, done) {
    req.startedAt = performance.now();
    reply.header('x-request-id', req.id);
    // routeOptions is a getter that builds an object: read it once per request.
    const { config, url } = req.routeOptions;
    req.routeUrl = url ?? 'unmatched';
    if (config.auth === false) {
      if (logging) tagLog(req, reply);
      return done();
    }
    try {
      // A request the fast path already authorised, then handed on (fast-path.ts), is not charged twice.
      const admitted = (req.raw as AdmittedRequest)[ADMITTED];
      const principal = admitted ?? auth.fromRequest(req.headers, req.url);
      req.principal = principal;
      if (logging) tagLog(req, reply, principal.id);
      if (!admitted) authorize(principal, config.cap);
      done();
    } catch (err) {
      if (err instanceof RateLimitedError) {
        ctx.metrics.limited();
        reply.header('retry-after', String(err.retryAfterS));
      }
      if (logging && !req.principal) tagLog(req, reply);
      done(err as Error);
    }
  });
  // Metrics are recorded when the reply is handed to node (onSend), or when a streamed reply ends (or is cut); not in an
  // onResponse hook: any onResponse hook makes fastify add 'finish' and 'error' listeners to every response, which
  // cost GET /v1/state about a fifth of its throughput (measured with scripts/bench-wrk.mjs; docs/performance.md).
  const observe = (req: FastifyRequest, status: number): void =>
    ctx.metrics.observe(req.routeUrl ?? 'unmatched', req.method, status, performance.now() - req.startedAt);
  app.addHook('onSend', function compressReply(req, reply, payload, done) {
    if (isStream(payload)) reply.raw.once('close', () => observe(req, reply.statusCode));
    else observe(req, reply.statusCode);
    if (!needsCompression(reply, payload)) return done(null, payload);
    compress(req, reply, payload as string | Buffer).then(
      (out) => done(null, out),
      (err: Error) => done(err),
    );
  });
  // A route that writes its own reply (hijacks) is never seen by onSend: only it gets an onResponse hook.
  return function observeResponse(req, reply, done) {
    observe(req, reply.statusCode);
    done();
  };
}

/** Errors, bodies and unknown routes: every failure answers with the one error envelope (docs/api.md, "Errors"). */
export function addBodyAndErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((err, req, reply) => sendError(req, reply, err));
  // JSON only (text/plain and the rest: 415), parsed strictly: UTF-8, no __proto__ keys, no lone surrogates.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) => {
    try {
      done(null, parseJsonBody(body as Buffer));
    } catch (err) {
      done(jsonBodyError(err));
    }
  });
  app.setNotFoundHandler((req, reply) =>
    sendError(
      req,
      reply,
      new ProgenyError('NOT_FOUND', `no route ${req.method} ${req.url.split('?')[0]}`, {
        hint: 'see docs/api.md for the routes',
      }),
    ),
  );
}
