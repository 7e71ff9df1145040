/**
 * Memories: list with cursor pagination, search (recall without counting it), add in batches; one memory's routes
 * (get, history, edit, forget) are in memory-item.ts. Reads need memory:read, changes memory:write.
 */
import type { MemoryKind, MemoryStatus, NewMemory } from '../../core/memory/types.js';
import type { RouteModule } from '../context.js';
import { actor, kind, MAX_BATCH, newMemory, text } from './memory-schemas.js';

/** Pages through memories, newest first by default; the cursor comes from the previous page. */
const listMemories: RouteModule = (app, ctx) => {
  const { memory } = ctx.engine;
  const read = { cap: 'memory:read' as const };
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
};

/** Recall without counting it as recall (peek): looking a memory up must not make it more salient. */
const searchMemories: RouteModule = (app, ctx) => {
  const { memory } = ctx.engine;
  const read = { cap: 'memory:read' as const };
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
      const { results, recall } = await memory.search({
        text: q.q,
        k: q.k,
        peek: true,
        // Every actor unless one is named; `*` names every actor explicitly (as `memory search --actor '*'`).
        ...(q.actor && q.actor !== '*' ? { actor: q.actor } : {}),
        ...(q.kinds?.length ? { kinds: q.kinds } : {}),
      });
      // `recall`: whether the vectors were used, and why not (docs/api.md); an addition old clients ignore.
      return { results, recall };
    },
  );
};

/** Adds a batch; with an Idempotency-Key a retried request returns the first answer instead of adding twice. */
const addMemories: RouteModule = (app, ctx) => {
  const { memory } = ctx.engine;
  const write = { cap: 'memory:write' as const };
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
};

/** The collection: list with cursor pagination, search, add in batches. */
export const memoryRoutes: RouteModule = (app, ctx) => {
  listMemories(app, ctx);
  searchMemories(app, ctx);
  addMemories(app, ctx);
};
