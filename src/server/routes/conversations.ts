/** Conversations: GET /v1/conversations (newest first, `before` cursor), GET /v1/conversations/:id with its messages. */
import type { RouteModule } from '../context.js';

export const conversationRoutes: RouteModule = (app, ctx) => {
  const { conversations } = ctx.engine;
  app.get<{ Querystring: { limit: number; before?: number; actor?: string } }>(
    '/v1/conversations',
    {
      config: { cap: 'chat' },
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
            before: { type: 'integer', minimum: 0 },
            actor: { type: 'string', minLength: 1, maxLength: 100 },
          },
        },
      },
    },
    async (req) => {
      const items = conversations.list({
        limit: req.query.limit,
        ...(req.query.before === undefined ? {} : { before: req.query.before }),
        ...(req.query.actor ? { actor: req.query.actor } : {}),
      });
      const last = items.at(-1);
      return { items, nextBefore: items.length === req.query.limit && last ? last.updatedAt : null };
    },
  );

  app.get<{ Params: { id: string }; Querystring: { limit: number } }>(
    '/v1/conversations/:id',
    {
      config: { cap: 'chat' },
      schema: {
        params: { type: 'object', properties: { id: { type: 'string', minLength: 1, maxLength: 64 } } },
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { limit: { type: 'integer', minimum: 1, maximum: 5000, default: 200 } },
        },
      },
    },
    async (req) => ({
      conversation: conversations.get(req.params.id),
      messages: conversations.messages(req.params.id, { limit: req.query.limit }),
    }),
  );
};
