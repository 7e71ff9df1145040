/**
 * The Qdrant test double's routes: which documented endpoint a request is, and the answer each gives over the
 * double's collections, in Qdrant's envelope ({result, status, time}) and error shape ({status: {error}}).
 */
import type { ServerResponse } from 'node:http';
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

/** What an answer needs from the double: its collections, the next operation id, the version GET / reports. */
export interface AnswerContext {
  collections: Map<string, DoubleCollection>;
  operationId: number;
  version: string | undefined;
}

export function routeOf(method: string, parts: string[]): QdrantRoute | undefined {
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

export function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}
const ok = (res: ServerResponse, result: unknown): void => send(res, 200, { result, status: 'ok', time: 0.0001 });
export const fail = (res: ServerResponse, status: number, error: string, headers?: Record<string, string>): void =>
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

function collection(ctx: AnswerContext, name: string): DoubleCollection {
  const c = ctx.collections.get(name);
  if (!c) throw new DoubleError(404, `Not found: Collection \`${name}\` doesn't exist!`);
  return c;
}

function collectionInfo(c: DoubleCollection): Record<string, unknown> {
  return {
    status: 'green',
    optimizer_status: 'ok',
    points_count: c.points.size,
    indexed_vectors_count: c.points.size,
    segments_count: 1,
    config: collectionConfig(c),
    payload_schema: Object.fromEntries([...c.indexes].map(([k, v]) => [k, { data_type: v, points: c.points.size }])),
  };
}

function createCollection(ctx: AnswerContext, name: string, body: Record<string, unknown>): void {
  if (ctx.collections.has(name)) throw new DoubleError(409, `Wrong input: Collection \`${name}\` already exists!`);
  const vectors = body.vectors as { size?: number; distance?: string } | undefined;
  if (!vectors || typeof vectors.size !== 'number' || vectors.size < 1)
    throw new DoubleError(400, 'Format error in JSON body: vectors.size is required');
  ctx.collections.set(name, {
    size: vectors.size,
    distance: vectors.distance ?? 'Cosine',
    points: new Map(),
    indexes: new Map(),
  });
}

function pointsOf(body: Record<string, unknown>): unknown[] {
  if (!Array.isArray(body.points)) throw new DoubleError(400, 'Format error in JSON body: points must be a list');
  return body.points;
}

/** Answers a routed request; a DoubleError thrown here becomes Qdrant's error body. */
export function answer(
  ctx: AnswerContext,
  res: ServerResponse,
  route: QdrantRoute,
  name: string,
  body: Record<string, unknown>,
): void {
  const done = { operation_id: ctx.operationId, status: 'completed' };
  switch (route) {
    case 'root':
      return void send(res, 200, {
        title: 'qdrant - vector search engine (progeny test double)',
        version: ctx.version ?? '1.18.0',
      });
    case 'exists':
      return ok(res, { exists: ctx.collections.has(name) });
    case 'info':
      return ok(res, collectionInfo(collection(ctx, name)));
    case 'create':
      createCollection(ctx, name, body);
      return ok(res, true);
    case 'drop':
      return ok(res, ctx.collections.delete(name));
    case 'index':
      collection(ctx, name).indexes.set(String(body.field_name), body.field_schema);
      return ok(res, done);
    case 'upsert':
      upsertPoints(collection(ctx, name), pointsOf(body) as { id: unknown; vector: unknown }[]);
      return ok(res, done);
    case 'delete':
      deletePoints(collection(ctx, name), pointsOf(body));
      return ok(res, done);
    case 'query':
      return ok(res, { points: queryPoints(collection(ctx, name), body as Parameters<typeof queryPoints>[1]) });
    case 'count':
      return ok(res, { count: countPoints(collection(ctx, name), body.filter as Filter | undefined) });
  }
}
