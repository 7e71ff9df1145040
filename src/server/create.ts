/**
 * createServer(engine, options): the HTTP + WebSocket API as a fastify instance that does not listen (tests use
 * `app.inject`; `progeny serve` calls listen). Hooks, in order: request id and structured logs (fastify), bearer-token
 * auth, the per-token rate limit and the route's capability; then the route (JSON schemas validate every input); then
 * compression and metrics. The hottest reads skip fastify on a fast path with the same checks (fast-path.ts). The server keeps no state beyond the engine, so several can share one home.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import Fastify, { type FastifyInstance } from 'fastify';
import type { LocalEngine } from '../core/engine/local-engine.js';
import { ensureServerToken } from '../core/engine/identity.js';
import { createAuthenticator, redactTokens, requireCapability } from './auth.js';
import type { RouteContext } from './context.js';
import { toProgenyError } from '../core/errors.js';
import type { Stoppable } from '../core/sync/background.js';
import { refuseClientError, sendError } from './errors.js';
import { createServerMetrics } from './metrics.js';
import { createRateLimiter } from './rate-limit.js';
import { buildSerializer, buildValidator } from './schema.js';
import { addBodyAndErrorHandlers, addRequestHooks } from './hooks.js';
import { createAuthorize } from './admission.js';
import { installFastPath } from './fast-path.js';
import { registerRoutes } from './routes/index.js';
import { TurnRegistry } from './turns.js';
import { startServerBackground, type ServerBackground } from './background.js';
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
  /** Work done while the server listens (embedding, scheduled dream, background sync), stopped when it closes. */
  background?: ServerBackground;
  /**
   * The hottest reads (GET /v1/state) answered in front of fastify with the same checks and reply (fast-path.ts);
   * default server.fastPath, and never with request logs on. false: every request through fastify (tests compare).
   */
  fastPath?: boolean;
  /** Called once the server listens, after the background work started. */
  onListen?: (app: FastifyInstance) => Promise<void> | void;
  /** Called when the server closes, before the engine is closed by its owner. */
  onClose?: (app: FastifyInstance) => Promise<void> | void;
}

export const SERVER_VERSION: string = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

/** Request ids unique across processes (a random prefix) and cheap per request (a counter). */
function requestIds(): () => string {
  const idPrefix = randomBytes(4).toString('hex');
  let requestSeq = 0;
  return () => `${idPrefix}${(++requestSeq).toString(16).padStart(8, '0')}`;
}

/** The fastify instance with the server's logging, request ids, client-error envelope and schema compilers. */
function newFastify(log: string, bodyLimit: number, genReqId: () => string): FastifyInstance {
  return Fastify({
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
    bodyLimit,
    requestIdHeader: 'x-request-id',
    genReqId,
    return503OnClosing: true,
    // What node's parser and fastify's router refuse before any route runs gets the error envelope too.
    clientErrorHandler: refuseClientError,
    frameworkErrors: (err, req, reply) => void sendError(req, reply, err),
    // Our own small validator instead of Ajv keeps the idle server inside its memory budget (schema.ts).
    schemaController: {
      compilersFactory: { buildValidator: buildValidator as never, buildSerializer: buildSerializer as never },
    },
  });
}

export async function createServer(engine: LocalEngine, options: ServerOptions = {}): Promise<FastifyInstance> {
  const cfg = engine.config;
  const log = options.log ?? cfg['server.log'];
  const nextRequestId = requestIds();
  const app = newFastify(log, options.bodyLimit ?? cfg['server.bodyLimit'], nextRequestId);
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
  const authorize = createAuthorize(limiter);

  const observeResponse = addRequestHooks(app, ctx, auth, authorize, log !== 'off');
  addBodyAndErrorHandlers(app);
  // Not with request logs on: fastify logs each request it answers.
  const fast =
    (options.fastPath ?? cfg['server.fastPath']) && log === 'off'
      ? installFastPath(app.server, { auth, authorize, metrics: ctx.metrics, nextRequestId })
      : undefined;
  // The first preClose hook, so no other one (a plugin's) runs while fastify already answers 503 and the fast path not.
  if (fast)
    app.addHook('preClose', (done) => {
      fast.close();
      done();
    });

  // Introspection for tests and shutdown reports: the routes served and the work in flight.
  const routes: { method: string; url: string }[] = [];
  app.addHook('onRoute', (r) => {
    for (const method of [r.method].flat()) if (method !== 'HEAD') routes.push({ method, url: r.url });
    if (r.config?.hijacks) r.onResponse = [observeResponse, ...[r.onResponse ?? []].flat()];
    fast?.add(r);
  });
  registerRoutes(app, ctx);
  const ws = attachWebSocket(app, ctx, auth, limiter);
  ctx.notify = ws.notify;
  app.decorate('progeny', {
    routes,
    inFlightTurns: () => ctx.turns.size,
    wsSessions: ws.size,
    fastPathServed: () => fast?.served() ?? 0,
  });
  for (const plugin of options.plugins ?? []) await app.register(plugin);

  let background: Stoppable | undefined;
  app.addHook('onListen', async () => {
    if (options.background) background ??= startServerBackground(engine, options.background);
    await options.onListen?.(app);
  });
  app.addHook('preClose', async () => {
    await ctx.turns.drain(options.drainMs ?? cfg['server.drainMs']);
    await ws.close();
    for (const close of ctx.closers) await close();
  });
  app.addHook('onClose', async () => {
    await background?.stop();
    await options.onClose?.(app);
  });
  return app;
}
