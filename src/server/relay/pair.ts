/**
 * The pairing mailbox: a short-lived, unauthenticated message box keyed by a random id that only the two screens
 * know. Payloads are public keys and boxed secrets, so the relay learns nothing it could use; a man in the middle is
 * caught by the short authentication string both screens show.
 */
import type { FastifyInstance } from 'fastify';
import { ProgenyError } from '../../core/errors.js';
import type { RelayStore } from './store.js';

const PAIR_ID = /^[A-Za-z0-9_-]{16,64}$/;
export const PAIR_TTL_MS = 10 * 60_000;

export function registerPairRoutes(app: FastifyInstance, store: RelayStore, now: () => number): void {
  const cfg = { config: { auth: false } };
  app.post('/v1/sync/pair/:id', cfg, async (req, reply) => {
    const { id } = req.params as { id: string };
    const payload = (req.body as { payload?: unknown })?.payload;
    if (!PAIR_ID.test(id) || typeof payload !== 'string' || payload.length > 16_384)
      throw new ProgenyError('SYNC_BAD_REQUEST', 'a pairing id and a payload (≤ 16 KiB) are required');
    const n = store.pairPost(id, payload, now() + PAIR_TTL_MS);
    if (n < 0) throw new ProgenyError('SYNC_RATE_LIMITED', 'this pairing mailbox is full');
    return reply.code(201).send({ n });
  });
  app.get('/v1/sync/pair/:id', cfg, async (req) => {
    const { id } = req.params as { id: string };
    if (!PAIR_ID.test(id)) throw new ProgenyError('SYNC_BAD_REQUEST', 'bad pairing id');
    const q = req.query as { after?: string; waitMs?: string };
    const after = Number(q.after ?? 0) || 0;
    const deadline = Date.now() + Math.min(25_000, Math.max(0, Number(q.waitMs ?? 0) || 0));
    for (;;) {
      const items = store.pairGet(id, after, now());
      if (items.length > 0 || Date.now() >= deadline) return { items };
      await new Promise((r) => setTimeout(r, 200));
    }
  });
}
