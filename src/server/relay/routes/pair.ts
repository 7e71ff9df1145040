/**
 * The pairing mailbox: a short-lived, unauthenticated message box keyed by a random id that only the two screens
 * know. Payloads are public keys and boxed secrets, so the relay learns nothing it could use; a man in the middle is
 * caught by the short authentication string both screens show.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { RelayRouteModule } from '../context.js';
import { ProgenyError } from '../../../core/errors.js';

export const PAIR_TTL_MS = 10 * 60_000;
const pairParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: '^[A-Za-z0-9_-]{16,64}$' } },
} as const;

export const pairRoutes: RelayRouteModule = (app, { store, now }) => {
  app.post<{ Params: { id: string }; Body: { payload: string } }>(
    '/v1/sync/pair/:id',
    {
      schema: {
        params: pairParams,
        body: {
          type: 'object',
          required: ['payload'],
          properties: { payload: { type: 'string', maxLength: 16_384 } },
        },
      },
    },
    async (req, reply) => {
      const n = store.pairPost(req.params.id, req.body.payload, now() + PAIR_TTL_MS);
      if (n < 0) throw new ProgenyError('SYNC_RATE_LIMITED', 'this pairing mailbox is full');
      return reply.code(201).send({ n });
    },
  );

  app.get<{ Params: { id: string }; Querystring: { after: number; waitMs: number } }>(
    '/v1/sync/pair/:id',
    {
      schema: {
        params: pairParams,
        querystring: {
          type: 'object',
          properties: {
            after: { type: 'integer', minimum: 0, default: 0 },
            waitMs: { type: 'integer', minimum: 0, maximum: 25_000, default: 0 },
          },
        },
      },
    },
    async (req) => {
      const { id } = req.params;
      const deadline = Date.now() + req.query.waitMs;
      for (;;) {
        const items = store.pairGet(id, req.query.after, now());
        if (items.length > 0 || Date.now() >= deadline) return { items };
        await delay(200);
      }
    },
  );
};
