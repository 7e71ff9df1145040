/**
 * Memories: list with cursor pagination, search (recall without counting it), add in batches, get, history, edit
 * (text, salience, kind, pinned), forget (text and vector purged). Reads need memory:read, changes memory:write.
 */
import { MEMORY_KINDS, type MemoryKind, type MemoryStatus, type NewMemory } from '../../core/memory/types.js';
import type { RouteModule } from '../context.js';

export const MAX_BATCH = 1000;
const kind = { type: 'string', enum: [...MEMORY_KINDS] };
const salience = { type: 'number', minimum: 0, maximum: 1 };
const text = { type: 'string', minLength: 1, maxLength: 32_000, pattern: '\\S' };
const actor = { type: 'string', minLength: 1, maxLength: 100 };
const idParams = { type: 'object', properties: { id: { type: 'string', minLength: 6, maxLength: 64 } } };

const newMemory = {
  type: 'object',
  required: ['text'],
  additionalProperties: false,
  properties: {
    text,
    kind,
    actor,
    salience,
    pinned: { type: 'boolean' },
    source: {
      type: 'object',
      additionalProperties: false,
      properties: {
        conversation: { type: 'string', maxLength: 64 },
        turn: { type: 'string', maxLength: 64 },
        via: { type: 'string', maxLength: 64 },
      },
    },
  },
};

export const memoryRoutes: RouteModule = (app, ctx) => {
  const { memory } = ctx.engine;
  const read = { cap: 'memory:read' as const };
  const write = { cap: 'memory:write' as const };

  app.get<{
    Querystring: {
      limit: number;
      cursor?: string;
      kind?: MemoryKind;
      actor?: string;
      status: MemoryStatus | 'all';
      order: 'asc' | 'desc';
    };
  }>(
    '/v1/memories',
    {
      config: read,
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 50 },
            cursor: { type: 'string', minLength: 1, maxLength: 200 },
            kind,
            actor,
            status: { type: 'string', enum: ['active', 'archived', 'forgotten', 'all'], default: 'active' },
            order: { type: 'string', enum: ['asc', 'desc'], default: 'desc' },
          },
        },
      },
    },
    async (req) => {
      const q = req.query;
      return memory.list({
        limit: q.limit,
        status: q.status,
        order: q.order,
        ...(q.cursor ? { cursor: q.cursor } : {}),
        ...(q.kind ? { kind: q.kind } : {}),
        ...(q.actor ? { actor: q.actor } : {}),
      });
    },
  );

  app.get<{ Querystring: { q: string; k: number; actor?: string; kinds?: MemoryKind[] } }>(
    '/v1/memories/search',
    {
      config: read,
      schema: {
        querystring: {
          type: 'object',
          required: ['q'],
          additionalProperties: false,
          properties: {
            q: text,
            k: { type: 'integer', minimum: 1, maximum: 100, default: 5 },
            actor,
            kinds: { type: 'array', items: kind, maxItems: 5 },
          },
        },
      },
    },
    async (req) => {
      const q = req.query;
      const results = await memory.recall({
        text: q.q,
        k: q.k,
        peek: true,
        // Every actor unless one is named; `*` names every actor explicitly (as `memory search --actor '*'`).
        ...(q.actor && q.actor !== '*' ? { actor: q.actor } : {}),
        ...(q.kinds?.length ? { kinds: q.kinds } : {}),
      });
      return { results };
    },
  );

  app.post<{ Body: { memories: NewMemory[] }; Headers: { 'idempotency-key'?: string } }>(
    '/v1/memories',
    {
      config: write,
      schema: {
        headers: {
          type: 'object',
          properties: {
            'idempotency-key': { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x21-\\x7e]+$' },
          },
        },
        body: {
          type: 'object',
          required: ['memories'],
          additionalProperties: false,
          properties: { memories: { type: 'array', minItems: 1, maxItems: MAX_BATCH, items: newMemory } },
        },
      },
    },
    async (req, reply) => {
      const via = req.principal?.kind === 'device' ? `api:${req.principal.id}` : 'api';
      const items = req.body.memories.map((m) => ({ ...m, source: { ...m.source, via: m.source?.via ?? via } }));
      const key = req.headers['idempotency-key'];
      reply.code(201);
      if (key === undefined) return { memories: await memory.add(items) };
      // Keys are per token: one client's key never answers another's request.
      const once = await memory.addOnce(`${req.principal?.id ?? 'owner'}\0${key}`, items);
      if (once.replayed) reply.header('idempotent-replayed', 'true');
      return { memories: once.memories };
    },
  );

  app.get<{ Params: { id: string } }>('/v1/memories/:id', { config: read, schema: { params: idParams } }, async (req) =>
    memory.get(req.params.id),
  );

  app.get<{ Params: { id: string } }>(
    '/v1/memories/:id/history',
    { config: read, schema: { params: idParams } },
    async (req) => ({
      revisions: memory.history(memory.get(req.params.id).id),
    }),
  );

  app.patch<{
    Params: { id: string };
    Body: { text?: string; salience?: number; kind?: MemoryKind; pinned?: boolean; reason?: string };
  }>(
    '/v1/memories/:id',
    {
      config: write,
      schema: {
        params: idParams,
        body: {
          type: 'object',
          additionalProperties: false,
          minProperties: 1,
          properties: {
            text,
            salience,
            kind,
            pinned: { type: 'boolean' },
            reason: { type: 'string', minLength: 1, maxLength: 500 },
          },
        },
      },
    },
    async (req) => {
      const { pinned, reason, ...patch } = req.body;
      const id = memory.get(req.params.id).id;
      let m = Object.keys(patch).length
        ? await memory.edit(id, patch, reason ?? 'edited through the API')
        : memory.get(id);
      if (pinned !== undefined && pinned !== m.pinned) m = await memory.pin(id, pinned);
      return m;
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/v1/memories/:id',
    { config: write, schema: { params: idParams } },
    async (req) => memory.forget(memory.get(req.params.id).id),
  );
};
