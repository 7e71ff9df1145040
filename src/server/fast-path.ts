/**
 * The fast path for the hottest reads (docs/performance.md, "The server: throughput and where a request's time goes"):
 * a GET route whose config has `fastRead` (today `GET /v1/state`) is answered straight from node's `request` event,
 * in front of fastify, with the same checks and the same reply: the bearer token (auth.ts), the rate limit and the
 * capability (admission.ts), the request id (the server's one generator, or the client's `x-request-id`), the
 * latency histogram and request counter (metrics.ts), the same headers in the same order. What it does not answer
 * it hands to fastify untouched: another route or method, a query string, a request with a body, any refusal (fastify
 * runs the same checks again and answers with the error envelope; a refused request took nothing from its bucket),
 * a body large enough to compress, an error while reading, and every request once the server is closing (fastify's
 * 503). Measured: fastify's routing, request and reply objects and hook chain cost more CPU per request than all of
 * progeny's own checks.
 *
 * It relies on the route having no hooks of its own and no plugin adding global hooks (the sync relay's hooks are
 * scoped to /v1/sync/); `add` refuses a route with hooks or a response schema. It is not installed when request logs
 * are on (fastify writes a line per request). `app.inject` calls fastify directly, so tests of the fast path listen.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { RouteOptions } from 'fastify';
import type { Capability } from '../core/devices/service.js';
import { ProgenyError } from '../core/errors.js';
import type { Authorize } from './admission.js';
import type { Authenticator, Principal } from './auth.js';
import { bigEnoughToCompress } from './compress.js';
import type { ServerMetrics } from './metrics.js';

/** On a GET route's config: the reply's content type and body, the same the route's own handler sends. */
export interface FastRead {
  type: string;
  body: () => string;
}

/** A request the fast path authorised and then handed on carries its principal, so it is not charged twice. */
export const ADMITTED = Symbol('progeny.admitted');
export type AdmittedRequest = IncomingMessage & { [ADMITTED]?: Principal };

interface FastRoute {
  url: string;
  auth: boolean;
  cap: Capability | undefined;
  read: FastRead;
}

export interface FastPath {
  /** Serves this route on the fast path (called for every route; takes the GET routes with `config.fastRead`). */
  add(route: RouteOptions): void;
  /** From now on every request goes to fastify (which answers 503 while closing). */
  close(): void;
  /** Requests answered on the fast path so far (tests check it was taken). */
  served(): number;
}

const ROUTE_HOOKS = [
  'onRequest',
  'preParsing',
  'preValidation',
  'preHandler',
  'preSerialization',
  'onSend',
  'onResponse',
] as const;

export interface FastPathDeps {
  auth: Authenticator;
  authorize: Authorize;
  metrics: ServerMetrics;
  nextRequestId: () => string;
}

/** Puts the fast path in front of fastify's `request` listener on `server`. */
export function installFastPath(server: Server, deps: FastPathDeps): FastPath {
  const [fastify] = server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
  if (!fastify) throw new ProgenyError('INTERNAL', 'the fast path needs fastify’s request listener to hand on to');
  const routes = new Map<string, FastRoute>();
  let open = true;
  let served = 0;

  /** true when it answered; false leaves the request to fastify. */
  const answer = (route: FastRoute, req: AdmittedRequest, res: ServerResponse): boolean => {
    const startedAt = performance.now();
    let principal: Principal | undefined;
    try {
      if (route.auth) {
        principal = deps.auth.fromRequest(req.headers, route.url);
        deps.authorize(principal, route.cap);
      }
    } catch {
      return false;
    }
    let body: string;
    try {
      body = route.read.body();
    } catch {
      req[ADMITTED] = principal;
      return false;
    }
    if (bigEnoughToCompress(body)) {
      req[ADMITTED] = principal;
      return false;
    }
    const id = (req.headers['x-request-id'] as string | undefined) || deps.nextRequestId();
    deps.metrics.observe(route.url, 'GET', 200, performance.now() - startedAt);
    // The order fastify writes them in: the request id (onRequest), the type (the handler), the length (send).
    res.writeHead(200, [
      'x-request-id',
      id,
      'content-type',
      route.read.type,
      'content-length',
      `${Buffer.byteLength(body)}`,
    ]);
    res.end(body);
    served++;
    return true;
  };

  server.removeListener('request', fastify);
  server.on('request', function fastPath(req: IncomingMessage, res: ServerResponse) {
    const route = open && req.method === 'GET' ? routes.get(req.url as string) : undefined;
    const hasBody = req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined;
    if (route === undefined || hasBody || !answer(route, req, res)) fastify(req, res);
  });

  return {
    add(r) {
      const read = r.config?.fastRead;
      if (!read || ![r.method].flat().includes('GET')) return;
      const hooks = ROUTE_HOOKS.filter((h) => [r[h] ?? []].flat().length > 0);
      if (hooks.length || r.schema?.response || /[:*?]/.test(r.url))
        throw new ProgenyError('INTERNAL', `${r.url} cannot be served on the fast path`, {
          hint: 'a fastRead route has a fixed path, no hooks of its own and no response schema (src/server/fast-path.ts)',
        });
      routes.set(r.url, { url: r.url, auth: r.config?.auth !== false, cap: r.config?.cap, read });
    },
    close: () => void (open = false),
    served: () => served,
  };
}
