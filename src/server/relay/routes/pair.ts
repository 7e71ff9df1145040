/**
 * The pairing mailbox: a short-lived, unauthenticated message box keyed by a random id that only the two screens
 * know. Payloads are public keys and boxed secrets, so the relay learns nothing it could use; a man in the middle is
 * caught by the short authentication string both screens show.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { BODY_LIMITS, type RelayRouteModule } from '../context.js';
import { ProgenyError } from '../../../core/errors.js';
import { retryAfter } from '../errors.js';

export const PAIR_TTL_MS = 10 * 60_000;
const pairParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: '^[A-Za-z0-9_-]{16,64}$' } },
} as const;

export const pairRoutes: RelayRouteModule = (app, { store, now, limits }) => {
  app.post<{ Params: { id: string }; Body: { payload: string } }>(
    '/v1/sync/pair/:id',
    {
      bodyLimit: BODY_LIMITS.pair,
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
      const t = now();
      const from = {
        tag: store.addressTag(req.ip),
        now: t,
        perAddress: limits.pairRowsPerAddress,
        total: limits.pairRows,
      };
      const n = store.pairPost(req.params.id, req.body.payload, t + PAIR_TTL_MS, from);
      if (typeof n === 'string') retryAfter(reply, PAIR_TTL_MS / 1000);
      if (n === 'mailbox-full') throw new ProgenyError('SYNC_RATE_LIMITED', 'this pairing mailbox is full');
      if (n === 'address-full')
        throw new ProgenyError('SYNC_QUOTA', 'this address has too many pairing messages waiting');
      if (n === 'relay-full') throw new ProgenyError('SYNC_QUOTA', 'the relay holds too many pairing messages');
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
