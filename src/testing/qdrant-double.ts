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
import {
  countPoints,
  deletePoints,
  DoubleError,
  queryPoints,
  upsertPoints,
  type DoubleCollection,
  type Filter,
} from './qdrant-double-collections.js';

export type QdrantRoute =
  'root' | 'exists' | 'info' | 'create' | 'drop' | 'index' | 'upsert' | 'delete' | 'query' | 'count';

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

function routeOf(method: string, parts: string[]): QdrantRoute | undefined {
  const [c, name, sub, op] = parts;
  if (parts.length === 0) return method === 'GET' ? 'root' : undefined;
  if (c !== 'collections' || !name) return undefined;
  const key = `${method} ${sub ?? ''}${op ? '/' + op : ''}`;
  const table: Record<string, QdrantRoute> = {
    'GET exists': 'exists',
    'GET ': 'info',
    'PUT ': 'create',
    'DELETE ': 'drop',
    'PUT index': 'index',
    'PUT points': 'upsert',
    'POST points/delete': 'delete',
    'POST points/query': 'query',
    'POST points/count': 'count',
  };
  return table[key];
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}
const ok = (res: ServerResponse, result: unknown): void => send(res, 200, { result, status: 'ok', time: 0.0001 });
const fail = (res: ServerResponse, status: number, error: string, headers?: Record<string, string>): void =>
  send(res, status, { status: { error }, time: 0 }, headers);

/** A collection's config as GET /collections/{name} reports it, with the fields the OpenAPI spec requires. */
function collectionConfig(c: DoubleCollection): Record<string, unknown> {
  return {
    params: {
      vectors: { size: c.size, distance: c.distance },
      shard_number: 1,
      replication_factor: 1,
      write_consistency_factor: 1,
      on_disk_payload: true,
    },
    hnsw_config: { m: 16, ef_construct: 100, full_scan_threshold: 10_000, max_indexing_threads: 0, on_disk: false },
    optimizer_config: {
      deleted_threshold: 0.2,
      vacuum_min_vector_number: 1000,
      default_segment_number: 0,
      max_segment_size: null,
      memmap_threshold: null,
      indexing_threshold: 10_000,
      flush_interval_sec: 5,
      max_optimization_threads: null,
    },
    wal_config: { wal_capacity_mb: 32, wal_segments_ahead: 0 },
    quantization_config: null,
  };
}

export async function startQdrantTestDouble(opts: QdrantTestDoubleOptions = {}): Promise<QdrantTestDouble> {
  const collections = new Map<string, DoubleCollection>();
  const requests: QdrantRequest[] = [];
  let queued: { fault: QdrantFault; remaining: number; route?: QdrantRoute }[] = [];
  let always: QdrantFault | undefined;
  let connectionCount = 0;
  const sockets = new Set<Socket>();
  const connectionNo = new WeakMap<Socket, number>();

  function takeFault(route: QdrantRoute | undefined): QdrantFault {
    const i = queued.findIndex((q) => q.route === undefined || q.route === route);
    const q = queued[i];
    if (q) {
      if (--q.remaining <= 0) queued.splice(i, 1);
      return q.fault;
    }
    return always ?? {};
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const limit = opts.maxRequestBytes ?? QDRANT_MAX_REQUEST_BYTES;
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of req) {
      size += (c as Buffer).length;
      if (size <= limit) chunks.push(c as Buffer); // read on, but keep nothing past the limit
    }
    if (size > limit) {
      requests.push({ ...recordOf(req, undefined), serverMs: 0 });
      return fail(
        res,
        400,
        `Format error in JSON body: JSON payload (${size} bytes) is larger than allowed (limit: ${limit} bytes).`,
      );
    }
    const text = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://double');
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const method = req.method ?? 'GET';
    const route = routeOf(method, parts);
    if (url.pathname === '/__double/stats') {
      const byRoute: Record<string, number> = {};
      const serverMs: Record<string, number> = {};
      for (const r of requests) {
        byRoute[r.route ?? 'unknown'] = (byRoute[r.route ?? 'unknown'] ?? 0) + 1;
        serverMs[r.route ?? 'unknown'] = (serverMs[r.route ?? 'unknown'] ?? 0) + r.serverMs;
      }
      return send(res, 200, { requests: requests.length, byRoute, serverMs, connections: connectionCount });
    }
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      return fail(res, 400, 'Format error in JSON body: invalid JSON');
    }
    const t0 = performance.now();
    res.once('finish', () => (rec.serverMs = performance.now() - t0));
    const rec: QdrantRequest = recordOf(req, body);
    requests.push(rec);
    const fault = takeFault(route);
    if (fault.delayMs) await delay(fault.delayMs);
    if (fault.drop) return void req.socket.destroy();
    if (fault.status)
      return fail(
        res,
        fault.status,
        `test double fault ${fault.status}`,
        fault.retryAfter ? { 'retry-after': fault.retryAfter } : {},
      );
    if (opts.apiKey && req.headers['api-key'] !== opts.apiKey)
      return fail(res, 401, 'Must provide an API key or an Authorization bearer token');
    if (!route) return fail(res, 404, `no route ${method} ${url.pathname}`);
    try {
      answer(res, route, parts[1] ?? '', (body ?? {}) as Record<string, unknown>);
    } catch (err) {
      if (err instanceof DoubleError) return fail(res, err.status, err.message);
      throw err;
    }
  }

  function recordOf(req: IncomingMessage, body: unknown): QdrantRequest {
    const url = new URL(req.url ?? '/', 'http://double');
    const method = req.method ?? 'GET';
    return {
      seq: requests.length,
      method,
      path: url.pathname,
      route: routeOf(method, url.pathname.split('/').filter(Boolean).map(decodeURIComponent)),
      query: Object.fromEntries(url.searchParams),
      body,
      connection: connectionNo.get(req.socket) ?? 0,
      headers: req.headers,
      serverMs: 0,
    };
  }

  function collection(name: string): DoubleCollection {
    const c = collections.get(name);
    if (!c) throw new DoubleError(404, `Not found: Collection \`${name}\` doesn't exist!`);
    return c;
  }

  function answer(res: ServerResponse, route: QdrantRoute, name: string, body: Record<string, unknown>): void {
    const done = { operation_id: requests.length, status: 'completed' };
    switch (route) {
      case 'root':
        return void send(res, 200, {
          title: 'qdrant - vector search engine (progeny test double)',
          version: opts.version ?? '1.18.0',
        });
      case 'exists':
        return ok(res, { exists: collections.has(name) });
      case 'info': {
        const c = collection(name);
        return ok(res, {
          status: 'green',
          optimizer_status: 'ok',
          points_count: c.points.size,
          indexed_vectors_count: c.points.size,
          segments_count: 1,
          config: collectionConfig(c),
          payload_schema: Object.fromEntries(
            [...c.indexes].map(([k, v]) => [k, { data_type: v, points: c.points.size }]),
          ),
        });
      }
      case 'create': {
        if (collections.has(name)) throw new DoubleError(409, `Wrong input: Collection \`${name}\` already exists!`);
        const vectors = body.vectors as { size?: number; distance?: string } | undefined;
        if (!vectors || typeof vectors.size !== 'number' || vectors.size < 1)
          throw new DoubleError(400, 'Format error in JSON body: vectors.size is required');
        collections.set(name, {
          size: vectors.size,
          distance: vectors.distance ?? 'Cosine',
          points: new Map(),
          indexes: new Map(),
        });
        return ok(res, true);
      }
      case 'drop':
        return ok(res, collections.delete(name));
      case 'index':
        collection(name).indexes.set(String(body.field_name), body.field_schema);
        return ok(res, done);
      case 'upsert':
        if (!Array.isArray(body.points)) throw new DoubleError(400, 'Format error in JSON body: points must be a list');
        upsertPoints(collection(name), body.points as { id: unknown; vector: unknown }[]);
        return ok(res, done);
      case 'delete':
        if (!Array.isArray(body.points)) throw new DoubleError(400, 'Format error in JSON body: points must be a list');
        deletePoints(collection(name), body.points);
        return ok(res, done);
      case 'query':
        return ok(res, { points: queryPoints(collection(name), body as Parameters<typeof queryPoints>[1]) });
      case 'count':
        return ok(res, { count: countPoints(collection(name), body.filter as Filter | undefined) });
    }
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => fail(res, 500, `test double failed: ${String(err)}`));
  });
  server.keepAliveTimeout = 10_000;
  server.on('connection', (s: Socket) => {
    connectionNo.set(s, ++connectionCount);
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const listen = (port: number): Promise<void> =>
    new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  const stop = (): Promise<void> =>
    new Promise((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  await listen(opts.port ?? 0);
  const port = (server.address() as AddressInfo).port;
  let down = false;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    collections,
    connections: () => connectionCount,
    fail: (fault, o = {}) =>
      void queued.push({ fault, remaining: o.times ?? 1, ...(o.route ? { route: o.route } : {}) }),
    failAlways: (fault) => void (always = fault),
    async setDown(d) {
      if (d === down) return;
      down = d;
      await (d ? stop() : listen(port));
    },
    reset() {
      queued = [];
      always = undefined;
      requests.length = 0;
    },
    close: () => (down ? Promise.resolve() : stop()),
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
