/**
 * The limbic state: GET /v1/state (decayed to now), POST /v1/state for an explicit adjustment with a reason (the
 * earned rule applies), GET /v1/state/why for the logged changes and their causes.
 */
import type { LimbicVariable } from '../../core/limbic/types.js';
import { localWriteCounter } from '../../core/store/db.js';
import type { RouteModule } from '../context.js';
import { perTurn } from '../per-turn.js';

const JSON_TYPE = 'application/json; charset=utf-8';

const delta = { type: 'number', minimum: -1, maximum: 1 };

export const stateRoutes: RouteModule = (app, ctx) => {
  const { state } = ctx.engine;
  // The hot read (docs/performance.md budgets it against bare node:http): read once per event-loop turn, not once per
  // request (per-turn.ts says how fresh that is), and serialised again only when the stored version or the clock's
  // millisecond moved (readJson); answered by a plain handler (no promise per request).
  // A write by this process (a limbic change, a sync pull applied here) is seen at once, even within the turn.
  // `fastRead`: usually answered in front of fastify, with the same checks and reply (fast-path.ts); this handler
  // answers what the fast path hands on (and app.inject).
  const body = perTurn(() => state.readJson(), localWriteCounter(ctx.engine.db));
  app.get(
    '/v1/state',
    { config: { cap: 'chat', fastRead: { type: JSON_TYPE, body } } },
    function readState(_req, reply) {
      return reply.type(JSON_TYPE).send(body());
    },
  );

  app.post<{ Body: { deltas: Partial<Record<LimbicVariable, number>>; reason: string } }>(
    '/v1/state',
    {
      config: { cap: 'state:write' },
      schema: {
        body: {
          type: 'object',
          required: ['deltas', 'reason'],
          additionalProperties: false,
          properties: {
            deltas: {
              type: 'object',
              additionalProperties: false,
              minProperties: 1,
              properties: { trust: delta, warmth: delta, arousal: delta, valence: delta },
            },
            reason: { type: 'string', minLength: 1, maxLength: 500, pattern: '\\S' },
          },
        },
      },
    },
    async (req) => {
      const r = state.adjust(req.body.deltas, req.body.reason.trim());
      ctx.notify({ type: 'limbic', state: r.state });
      return r;
    },
  );

  app.get<{ Querystring: { variable?: string; limit: number } }>(
    '/v1/state/why',
    {
      config: { cap: 'chat' },
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            variable: {
              type: 'string',
              enum: ['trust', 'warmth', 'arousal', 'valence', 'posture', 'flags', 'elastic', 'interactionCount'],
            },
            limit: { type: 'integer', minimum: 1, maximum: 500, default: 20 },
          },
        },
      },
    },
    async (req) => ({ changes: state.why(req.query.variable, req.query.limit) }),
  );
};
