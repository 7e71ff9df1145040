/** GET /metrics: the engine's and the server's metrics in the Prometheus text format (admin only). */
import type { RouteModule } from '../context.js';

export const metricsRoutes: RouteModule = (app, ctx) => {
  app.get('/metrics', { config: { cap: 'admin' } }, async (_req, reply) => {
    reply.type('text/plain; version=0.0.4; charset=utf-8');
    return ctx.engine.metrics.render();
  });
};
