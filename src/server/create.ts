/**
 * createServer(engine, options): the HTTP + WebSocket API as a fastify instance that does not listen (tests use
 * `app.inject`; `progeny serve` calls listen). Hooks, in order: request id and structured logs (fastify), bearer-token
 * auth and the route's capability, the per-token rate limit; then the route (JSON schemas validate every input); then
 * compression and metrics. The server keeps no state beyond the engine, so several can share one home.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { LocalEngine } from '../core/engine/local-engine.js';
import { ensureServerToken } from '../core/engine/identity.js';
import { createAuthenticator, redactTokens, requireCapability } from './auth.js';
import { compress, needsCompression } from './compress.js';
import type { RouteContext } from './context.js';
import { ProgenyError, toProgenyError } from '../core/errors.js';
import { jsonBodyError, refuseClientError, sendError } from './errors.js';
import { parseJsonBody } from './json-body.js';
import { createServerMetrics } from './metrics.js';
import { createRateLimiter } from './rate-limit.js';
import { buildSerializer, buildValidator } from './schema.js';
import { registerRoutes } from './routes/index.js';
import { TurnRegistry } from './turns.js';
import { attachWebSocket } from './ws.js';

export interface ServerOptions {
  /** The owner's bearer token; default: the home's server token (created, mode 0600, when missing). */
  token?: string;
  /** Structured request logs (pino JSON on stderr); default from server.log, off unless asked. */
  log?: 'off' | 'info' | 'debug';
  bodyLimit?: number;
  /** Per device token; the owner's token is not limited. Default from server.rateLimit / server.rateBurst. */
  rateLimit?: { perSecond: number; burst: number } | false;
  /** How long shutdown waits for in-flight turns before interrupting them. Default from server.drainMs. */
  drainMs?: number;
  /** Registered after the built-in routes (e.g. the sync relay under /v1/sync/; `config: { auth: false }` opts out of bearer auth). */
  plugins?: Array<(app: FastifyInstance) => Promise<void>>;
  /** Called once the server listens (background work such as scheduled sync or dream). */
  onListen?: (app: FastifyInstance) => Promise<void> | void;
  /** Called when the server closes, before the engine is closed by its owner. */
  onClose?: (app: FastifyInstance) => Promise<void> | void;
}

const isStream = (payload: unknown): boolean =>
  typeof payload === 'object' && payload !== null && typeof (payload as { pipe?: unknown }).pipe === 'function';

export const SERVER_VERSION: string = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

export async function createServer(engine: LocalEngine, options: ServerOptions = {}): Promise<FastifyInstance> {
  const cfg = engine.config;
  const log = options.log ?? cfg['server.log'];
  const idPrefix = randomBytes(4).toString('hex');
  let requestSeq = 0;
  const app = Fastify({
    logger:
      log === 'off'
        ? false
        : {
            level: log,
            stream: process.stderr,
            // Never log a token: browsers may send it as ?access_token= (in any spelling) on the WebSocket URL.
            serializers: {
              req: (r: { method: string; url: string }) => ({ method: r.method, url: redactTokens(r.url) }),
            },
          },
    bodyLimit: options.bodyLimit ?? cfg['server.bodyLimit'],
    requestIdHeader: 'x-request-id',
    // Unique across processes (random prefix) and cheap per request (a counter).
    genReqId: () => `${idPrefix}${(++requestSeq).toString(16).padStart(8, '0')}`,
    return503OnClosing: true,
    // What node's parser and fastify's router refuse before any route runs gets the error envelope too.
    clientErrorHandler: refuseClientError,
    frameworkErrors: (err, req, reply) => void sendError(req, reply, err),
    // Our own small validator instead of Ajv keeps the idle server inside its memory budget (schema.ts).
    schemaController: {
      compilersFactory: { buildValidator: buildValidator as never, buildSerializer: buildSerializer as never },
    },
  });
  // With logs on, each request's lines carry its route and the id of its token (never the token: docs/monitoring.md).
  const logging = log !== 'off';
  const tagLog = (req: FastifyRequest, reply: FastifyReply, tokenId?: string): void => {
    const child = req.log.child(tokenId ? { route: req.routeUrl, tokenId } : { route: req.routeUrl });
    req.log = child;
    reply.log = child;
  };
  const ctx: RouteContext = {
    engine,
    turns: new TurnRegistry(),
    metrics: createServerMetrics(engine),
    version: SERVER_VERSION,
    startedAt: Date.now(),
    notify: () => undefined,
    closers: [],
    recheck: (req, cap) => {
      if (req.principal?.kind !== 'device') return undefined;
      try {
        requireCapability(auth.fromRequest(req.headers, req.url), cap);
        return undefined;
      } catch (err) {
        return toProgenyError(err);
      }
    },
  };
  const auth = createAuthenticator(options.token ?? ensureServerToken(engine.paths), engine.devices);
  const rl =
    options.rateLimit ??
    (cfg['server.rateLimit'] > 0 ? { perSecond: cfg['server.rateLimit'], burst: cfg['server.rateBurst'] } : false);
  const limiter = rl ? createRateLimiter(rl) : null;

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
      const principal = auth.fromRequest(req.headers, req.url);
      req.principal = principal;
      if (logging) tagLog(req, reply, principal.id);
      if (limiter && principal.kind === 'device') {
        const wait = limiter.take(principal.id);
        if (wait > 0) {
          ctx.metrics.limited();
          reply.header('retry-after', String(wait));
          throw new ProgenyError('RATE_LIMITED', `too many requests for token "${principal.name}"`, {
            hint: `retry after ${wait} s; the limit is server.rateLimit requests/s per token`,
          });
        }
      }
      if (config.cap) requireCapability(principal, config.cap);
      done();
    } catch (err) {
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
  const observeResponse = (req: FastifyRequest, reply: FastifyReply, done: () => void): void => {
    observe(req, reply.statusCode);
    done();
  };
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

  // Introspection for tests and shutdown reports: the routes served and the work in flight.
  const routes: { method: string; url: string }[] = [];
  app.addHook('onRoute', (r) => {
    for (const method of [r.method].flat()) if (method !== 'HEAD') routes.push({ method, url: r.url });
    if (r.config?.hijacks) r.onResponse = [observeResponse, ...[r.onResponse ?? []].flat()];
  });
  registerRoutes(app, ctx);
  const ws = attachWebSocket(app, ctx, auth, limiter);
  ctx.notify = ws.notify;
  app.decorate('progeny', { routes, inFlightTurns: () => ctx.turns.size, wsSessions: ws.size });
  for (const plugin of options.plugins ?? []) await app.register(plugin);

  app.addHook('onListen', async () => {
    await options.onListen?.(app);
  });
  app.addHook('preClose', async () => {
    await ctx.turns.drain(options.drainMs ?? cfg['server.drainMs']);
    await ws.close();
    for (const close of ctx.closers) await close();
  });
  app.addHook('onClose', async () => {
    await options.onClose?.(app);
  });
  return app;
}
