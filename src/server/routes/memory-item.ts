/**
 * One memory: get, its revision history, edit (text, salience, kind, pinned) and forget (text and vector purged).
 * Reads need memory:read, changes memory:write.
 */
import type { MemoryKind } from '../../core/memory/types.js';
import type { RouteModule } from '../context.js';
import { idParams, kind, salience, text } from './memory-schemas.js';

export const memoryItemRoutes: RouteModule = (app, ctx) => {
  const { memory } = ctx.engine;
  const read = { cap: 'memory:read' as const };
  const write = { cap: 'memory:write' as const };

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
