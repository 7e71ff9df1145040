/**
 * The heritage: GET /v1/heritage (current, or ?version=N), PUT /v1/heritage (a new version; the core validates the
 * document and refuses base changes without allowBase), GET /v1/heritage/history.
 */
import type { RouteModule } from '../context.js';

export const heritageRoutes: RouteModule = (app, ctx) => {
  const { heritage } = ctx.engine;
  app.get<{ Querystring: { version?: number } }>(
    '/v1/heritage',
    {
      config: { cap: 'chat' },
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { version: { type: 'integer', minimum: 1 } },
        },
      },
    },
    async (req) => (req.query.version === undefined ? heritage.current() : heritage.show(req.query.version)),
  );

  app.put<{ Body: { doc: Record<string, unknown>; reason: string; allowBase?: boolean } }>(
    '/v1/heritage',
    {
      config: { cap: 'admin' },
      schema: {
        body: {
          type: 'object',
          required: ['doc', 'reason'],
          additionalProperties: false,
          properties: {
            doc: { type: 'object' },
            reason: { type: 'string', minLength: 1, maxLength: 500, pattern: '\\S' },
            allowBase: { type: 'boolean' },
          },
        },
      },
    },
    async (req, reply) => {
      const v = heritage.update(req.body.doc, req.body.reason, {
        allowBase: req.body.allowBase === true,
        origin: 'api',
      });
      ctx.notify({ type: 'heritage', version: v.version });
      reply.code(201);
      return v;
    },
  );

  app.get('/v1/heritage/history', { config: { cap: 'chat' } }, async () => ({ versions: heritage.history() }));
};
