/**
 * startQdrantTestDouble: a TEST DOUBLE of the Qdrant REST API, not Qdrant. A real HTTP server on 127.0.0.1 (port 0
 * by default) that answers the documented endpoints progeny's Qdrant store uses (GET /, collection exists / info /
 * create / drop, payload index, upsert, delete, query, count) with Qdrant's envelope ({result, status, time}) and
 * error shape ({status: {error}}). Faults for tests and the benchmark: down (the port refuses connections), a delay,
 * 5xx and 429 with Retry-After, dropped connections; every request is logged with its client port and connection
 * number, so tests can count requests and see keep-alive reuse. As the real server does, it refuses a body over
 * `service.max_request_size_mb` (32 MiB) with a 400, a second create of a collection with a 409, and answers
 * collection info with every field the OpenAPI spec requires (optimizer_status, hnsw_config, optimizer_config…).
 *
 * Standalone (the benchmark runs it in its own process): `node --import tsx src/testing/qdrant-double.ts --port 0`
 * prints {"url","pid"} as one JSON line and serves until SIGTERM; GET /__double/stats returns request counts by route.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { setTimeout as delay } from 'node:timers/promises';
import { DoubleError, type DoubleCollection } from './qdrant-double-collections.js';
import { answer, fail, routeOf, send, type QdrantRoute } from './qdrant-double-routes.js';

export type { QdrantRoute } from './qdrant-double-routes.js';

export interface QdrantFault {
  /** Answer with this status and Qdrant's error body. */
  status?: number;
  /** Retry-After header (seconds) sent with `status`. */
  retryAfter?: string;
  /** Wait this long before answering. */
  delayMs?: number;
  /** Destroy the connection without answering. */
  drop?: boolean;
}

export interface QdrantRequest {
  seq: number;
  method: string;
  path: string;
  route: QdrantRoute | undefined;
  query: Record<string, string>;
  body: unknown;
  /** 1-based number of the TCP connection it arrived on: equal numbers mean keep-alive reuse. */
  connection: number;
  headers: Record<string, string | string[] | undefined>;
  /** Time the double spent on it, from the parsed request to the response written (ms). */
  serverMs: number;
}

export interface QdrantTestDouble {
  readonly url: string;
  readonly requests: QdrantRequest[];
  readonly collections: Map<string, DoubleCollection>;
  /** TCP connections accepted so far. */
  connections(): number;
  /** The next `times` requests (on `route`, else any) misbehave as `fault`. */
  fail(fault: QdrantFault, opts?: { times?: number; route?: QdrantRoute }): void;
  /** Every request misbehaves as `fault` until called with undefined. */
  failAlways(fault: QdrantFault | undefined): void;
  /** Down: stop listening and cut open connections (clients get ECONNREFUSED); up: listen again on the same port. */
  setDown(down: boolean): Promise<void>;
  reset(): void;
  close(): Promise<void>;
}

export interface QdrantTestDoubleOptions {
  port?: number;
  version?: string;
  /** When set, every request must carry this `api-key` header. */
  apiKey?: string;
  /** Largest request body accepted (Qdrant's service.max_request_size_mb); default 32 MiB. */
  maxRequestBytes?: number;
}

/** Qdrant's default service.max_request_size_mb. */
export const QDRANT_MAX_REQUEST_BYTES = 32 * 1024 * 1024;

/** The double's mutable state, shared by the request handler and the control methods. */
interface DoubleState {
  readonly opts: QdrantTestDoubleOptions;
  readonly collections: Map<string, DoubleCollection>;
  readonly requests: QdrantRequest[];
  queued: { fault: QdrantFault; remaining: number; route?: QdrantRoute }[];
  always: QdrantFault | undefined;
  connectionCount: number;
  readonly sockets: Set<Socket>;
  readonly connectionNo: WeakMap<Socket, number>;
}

function takeFault(state: DoubleState, route: QdrantRoute | undefined): QdrantFault {
  const i = state.queued.findIndex((q) => q.route === undefined || q.route === route);
  const q = state.queued[i];
  if (q) {
    if (--q.remaining <= 0) state.queued.splice(i, 1);
    return q.fault;
  }
  return state.always ?? {};
}

function recordOf(state: DoubleState, req: IncomingMessage, body: unknown): QdrantRequest {
  const url = new URL(req.url ?? '/', 'http://double');
  const method = req.method ?? 'GET';
  return {
    seq: state.requests.length,
    method,
    path: url.pathname,
    route: routeOf(method, pathParts(url)),
    query: Object.fromEntries(url.searchParams),
    body,
    connection: state.connectionNo.get(req.socket) ?? 0,
    headers: req.headers,
    serverMs: 0,
  };
}

const pathParts = (url: URL): string[] => url.pathname.split('/').filter(Boolean).map(decodeURIComponent);

/** Reads the whole body but keeps nothing past `limit` bytes, so an oversized request is measured, not buffered. */
async function readBody(req: IncomingMessage, limit: number): Promise<{ size: number; text: string }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size <= limit) chunks.push(c as Buffer);
  }
  return { size, text: size > limit ? '' : Buffer.concat(chunks).toString('utf8') };
}

/** GET /__double/stats: request counts and server time by route. */
function sendStats(state: DoubleState, res: ServerResponse): void {
  const byRoute: Record<string, number> = {};
  const serverMs: Record<string, number> = {};
  for (const r of state.requests) {
    byRoute[r.route ?? 'unknown'] = (byRoute[r.route ?? 'unknown'] ?? 0) + 1;
    serverMs[r.route ?? 'unknown'] = (serverMs[r.route ?? 'unknown'] ?? 0) + r.serverMs;
  }
  send(res, 200, { requests: state.requests.length, byRoute, serverMs, connections: state.connectionCount });
}

/** Applies an injected fault; true when it answered (or dropped) the request. */
async function applyFault(fault: QdrantFault, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  if (fault.delayMs) await delay(fault.delayMs);
  if (fault.drop) {
    req.socket.destroy();
    return true;
  }
  if (!fault.status) return false;
  const headers: Record<string, string> = fault.retryAfter ? { 'retry-after': fault.retryAfter } : {};
  fail(res, fault.status, `test double fault ${fault.status}`, headers);
  return true;
}

async function handle(state: DoubleState, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const limit = state.opts.maxRequestBytes ?? QDRANT_MAX_REQUEST_BYTES;
  const { size, text } = await readBody(req, limit);
  if (size > limit) {
    state.requests.push({ ...recordOf(state, req, undefined), serverMs: 0 });
    const error = `Format error in JSON body: JSON payload (${size} bytes) is larger than allowed (limit: ${limit} bytes).`;
    return fail(res, 400, error);
  }
  const url = new URL(req.url ?? '/', 'http://double');
  const parts = pathParts(url);
  const method = req.method ?? 'GET';
  const route = routeOf(method, parts);
  if (url.pathname === '/__double/stats') return sendStats(state, res);
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    return fail(res, 400, 'Format error in JSON body: invalid JSON');
  }
  const t0 = performance.now();
  const rec: QdrantRequest = recordOf(state, req, body);
  res.once('finish', () => (rec.serverMs = performance.now() - t0));
  state.requests.push(rec);
  if (await applyFault(takeFault(state, route), req, res)) return;
  if (state.opts.apiKey && req.headers['api-key'] !== state.opts.apiKey)
    return fail(res, 401, 'Must provide an API key or an Authorization bearer token');
  if (!route) return fail(res, 404, `no route ${method} ${url.pathname}`);
  try {
    const ctx = { collections: state.collections, operationId: state.requests.length, version: state.opts.version };
    answer(ctx, res, route, parts[1] ?? '', (body ?? {}) as Record<string, unknown>);
  } catch (err) {
    if (err instanceof DoubleError) return fail(res, err.status, err.message);
    throw err;
  }
}

/** The listening server with its connection bookkeeping; listen/stop let setDown() take the port down and back. */
function createDoubleServer(state: DoubleState): {
  listen(port: number): Promise<void>;
  stop(): Promise<void>;
  port(): number;
} {
  const server: Server = createServer((req, res) => {
    handle(state, req, res).catch((err: unknown) => fail(res, 500, `test double failed: ${String(err)}`));
  });
  server.keepAliveTimeout = 10_000;
  server.on('connection', (s: Socket) => {
    state.connectionNo.set(s, ++state.connectionCount);
    state.sockets.add(s);
    s.on('close', () => state.sockets.delete(s));
  });
  return {
    listen: (port) =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, '127.0.0.1', () => {
          server.off('error', reject);
          resolve();
        });
      }),
    stop: () =>
      new Promise((resolve) => {
        for (const s of state.sockets) s.destroy();
        server.close(() => resolve());
      }),
    port: () => (server.address() as AddressInfo).port,
  };
}

export async function startQdrantTestDouble(opts: QdrantTestDoubleOptions = {}): Promise<QdrantTestDouble> {
  const state: DoubleState = {
    opts,
    collections: new Map(),
    requests: [],
    queued: [],
    always: undefined,
    connectionCount: 0,
    sockets: new Set(),
    connectionNo: new WeakMap(),
  };
  const server = createDoubleServer(state);
  await server.listen(opts.port ?? 0);
  const port = server.port();
  let down = false;

  return {
    url: `http://127.0.0.1:${port}`,
    requests: state.requests,
    collections: state.collections,
    connections: () => state.connectionCount,
    fail: (fault, o = {}) =>
      void state.queued.push({ fault, remaining: o.times ?? 1, ...(o.route ? { route: o.route } : {}) }),
    failAlways: (fault) => void (state.always = fault),
    async setDown(d) {
      if (d === down) return;
      down = d;
      await (d ? server.stop() : server.listen(port));
    },
    reset() {
      state.queued = [];
      state.always = undefined;
      state.requests.length = 0;
    },
    close: () => (down ? Promise.resolve() : server.stop()),
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({ options: { port: { type: 'string', default: '0' }, version: { type: 'string' } } });
  const d = await startQdrantTestDouble({
    port: Number(values.port),
    ...(values.version ? { version: values.version } : {}),
  });
  process.stdout.write(`${JSON.stringify({ url: d.url, pid: process.pid })}\n`);
  const stop = (): void => void d.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
