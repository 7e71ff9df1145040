/**
 * The sync relay as a fastify plugin (docs/api.md, "Sync relay"). Routes live under /v1/sync/ and authenticate
 * themselves with request signatures. The relay checks what it can without keys — signatures, device-log validity,
 * per-device sequence continuity, sizes — and stores only ciphertext. This module sets up the relay's scope (its body
 * parser, validator, error envelope and hooks); the routes are in routes/.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { SIG_HEADERS } from '../../core/sync/request-sig.js';
import { buildValidator } from '../schema.js';
import { authDevice, header } from './auth.js';
import type { RelayContext, RelayRouteModule } from './context.js';
import { ProgenyError } from '../../core/errors.js';
import { relayErrorHandler } from './errors.js';
import { batchRoutes, MAX_PUSH_BYTES } from './routes/batches.js';
import { deviceRoutes } from './routes/devices.js';
import { pairRoutes } from './routes/pair.js';
import { snapshotRoutes } from './routes/snapshots.js';
import { vaultRoutes } from './routes/vaults.js';
import type { RelayStore } from './store.js';

export { MAX_PUSH_BYTES, MAX_PUSH_ENVELOPES } from './routes/batches.js';
export { MAX_SNAPSHOT_BYTES } from './routes/snapshots.js';

export interface RelayOptions {
  store: RelayStore;
  now?: () => number;
  /** Requests per device per minute before 429 (default 1200). */
  rateLimitPerMinute?: number;
}

const ROUTES: RelayRouteModule[] = [vaultRoutes, deviceRoutes, batchRoutes, snapshotRoutes, pairRoutes];

/** JSON bodies kept as received (signatures cover the bytes), then parsed. */
function parseJson(req: FastifyRequest, body: Buffer, done: (err: Error | null, value?: unknown) => void): void {
  req.rawBody = body;
  try {
    done(null, body.length ? (JSON.parse(body.toString('utf8')) as unknown) : {});
  } catch {
    done(new ProgenyError('SYNC_BAD_REQUEST', 'the body is not valid JSON'));
  }
}

export function createRelayPlugin(opts: RelayOptions): (app: FastifyInstance) => Promise<void> {
  const ctx: RelayContext = { store: opts.store, now: opts.now ?? Date.now };
  const limit = opts.rateLimitPerMinute ?? 1200;
  const buckets = new Map<string, { start: number; n: number }>();
  const allow = (key: string): number => {
    const t = ctx.now();
    const b = buckets.get(key);
    if (!b || t - b.start >= 60_000) {
      buckets.set(key, { start: t, n: 1 });
      return 0;
    }
    b.n += 1;
    return b.n > limit ? Math.ceil((b.start + 60_000 - t) / 1000) : 0;
  };

  return async (app) => {
    await app.register(async (scope) => {
      scope.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, body, done) =>
        parseJson(req, body as Buffer, done),
      );
      // The server's small validator (schema.ts), so the relay validates alike inside `progeny serve` and on its own.
      scope.setValidatorCompiler(buildValidator() as never);
      scope.setErrorHandler(relayErrorHandler);
      scope.addHook('onRoute', (route) => {
        route.config = { ...route.config, auth: false };
        route.bodyLimit ??= 2 * MAX_PUSH_BYTES;
      });
      scope.addHook('onRequest', async (req, reply) => {
        const retry = allow(header(req, SIG_HEADERS.device) ?? req.ip);
        if (retry > 0) {
          void reply.header('retry-after', String(retry));
          throw new ProgenyError('SYNC_RATE_LIMITED', 'too many requests');
        }
        return undefined;
      });
      scope.addHook('preHandler', async (req: FastifyRequest, _reply: FastifyReply) => {
        const need = req.routeOptions.config.relayAuth;
        if (need) req.relayDevice = authDevice(ctx, req, (req.params as { v: string }).v, need);
      });
      for (const routes of ROUTES) routes(scope, ctx);
    });
  };
}
