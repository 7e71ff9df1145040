/** GET /v1/health: the only route without a token; mode and versions, for load balancers and clients. */
import type { RouteModule } from '../context.js';

export const healthRoutes: RouteModule = (app, ctx) => {
  app.get('/v1/health', { config: { auth: false } }, async () => ({
    ok: ctx.engine.mode() !== 'DEAD',
    mode: ctx.engine.mode(),
    version: ctx.version,
    node: process.versions.node,
    api: 'v1',
    uptimeS: Math.round((Date.now() - ctx.startedAt) / 1000),
  }));
};
