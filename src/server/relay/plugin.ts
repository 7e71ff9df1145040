/**
 * The sync relay as a fastify plugin (docs/api.md, "Sync relay"). Routes live under /v1/sync/ and authenticate
 * themselves with request signatures. The relay checks what it can without keys — signatures, device-log validity,
 * per-device sequence continuity, sizes — and stores only ciphertext. This module sets up the relay's scope: the rate
 * limit by address, authentication before the body is read, the rate limit by device, body limits per route, the JSON
 * parser, the validator, the error envelope, and the timer that sweeps expired pairing messages; routes are in routes/.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sha256hex } from '../../core/sync/crypto.js';
import { addressKey, createRateLimiter } from '../rate-limit.js';
import { parseJsonBody } from '../json-body.js';
import { buildValidator } from '../schema.js';
import { authDevice } from './auth.js';
import {
  BODY_LIMITS,
  DEFAULT_RELAY_LIMITS,
  type RelayContext,
  type RelayLimits,
  type RelayRouteModule,
} from './context.js';
import { ProgenyError } from '../../core/errors.js';
import { relayErrorHandler, retryAfter } from './errors.js';
import { batchRoutes } from './routes/batches.js';
import { deviceRoutes } from './routes/devices.js';
import { pairRoutes } from './routes/pair.js';
import { snapshotRoutes } from './routes/snapshots.js';
import { vaultRoutes } from './routes/vaults.js';
import type { RelayStore } from './store.js';

export { MAX_PUSH_BYTES, MAX_PUSH_ENVELOPES } from './routes/batches.js';

export interface RelayOptions {
  store: RelayStore;
  now?: () => number;
  /** Defaults: DEFAULT_RELAY_LIMITS (`progeny serve` reads them from the `relay.*` config). */
  limits?: Partial<RelayLimits>;
  /** How often expired pairing messages are deleted and freed pages returned (default 60 s). */
  sweepEveryMs?: number;
}

const ROUTES: RelayRouteModule[] = [vaultRoutes, deviceRoutes, batchRoutes, snapshotRoutes, pairRoutes];

/** JSON bodies kept as received, checked against the signed hash, then parsed strictly (json-body.ts). */
function parseJson(req: FastifyRequest, body: Buffer, done: (err: Error | null, value?: unknown) => void): void {
  req.rawBody = body;
  if (req.signedBodyHash !== undefined && sha256hex(body) !== req.signedBodyHash)
    return done(new ProgenyError('SYNC_UNAUTHORIZED', 'the body does not match its signed hash'));
  try {
    done(null, parseJsonBody(body, { emptyAs: {} }));
  } catch (err) {
    done(new ProgenyError('SYNC_BAD_REQUEST', (err as Error).message));
  }
}

/** Rate limit by address, then (routes with relayAuth) authentication from the headers, then by device. */
async function admit(ctx: RelayContext, req: FastifyRequest, reply: FastifyReply): Promise<void> {
  const wait = ctx.byAddress?.take(addressKey(req.ip)) ?? 0;
  if (wait > 0) {
    retryAfter(reply, wait);
    throw new ProgenyError('SYNC_RATE_LIMITED', 'too many requests from this address');
  }
  const need = req.routeOptions.config.relayAuth;
  if (!need) return;
  const vault = (req.params as { v: string }).v;
  const device = authDevice(ctx, req, vault, need);
  const deviceWait = ctx.byDevice?.take(`${vault}\0${device.deviceId}`) ?? 0;
  if (deviceWait > 0) {
    retryAfter(reply, deviceWait);
    throw new ProgenyError('SYNC_RATE_LIMITED', 'too many requests from this device');
  }
  req.relayDevice = device;
}

export function createRelayPlugin(opts: RelayOptions): (app: FastifyInstance) => Promise<void> {
  const limits = { ...DEFAULT_RELAY_LIMITS, ...opts.limits };
  const now = opts.now ?? Date.now;
  const limiter = () => (limits.rate ? createRateLimiter(limits.rate, { now }) : null);
  const ctx: RelayContext = { store: opts.store, now, limits, byAddress: limiter(), byDevice: limiter() };

  return async (app) => {
    let sweeper: NodeJS.Timeout | undefined;
    app.addHook('onReady', async () => {
      sweeper = setInterval(() => {
        try {
          ctx.store.sweep(ctx.now());
        } catch {
          // The store closes before the server in some shutdown orders; the next start sweeps.
        }
      }, opts.sweepEveryMs ?? 60_000);
      sweeper.unref();
    });
    app.addHook('onClose', async () => clearInterval(sweeper));
    await app.register(async (scope) => {
      // Its own JSON parser (it keeps the raw bytes for signatures), in place of the server's or fastify's.
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, body, done) =>
        parseJson(req, body as Buffer, done),
      );
      // The server's small validator (schema.ts), so the relay validates alike inside `progeny serve` and on its own.
      scope.setValidatorCompiler(buildValidator() as never);
      scope.setErrorHandler(relayErrorHandler);
      scope.addHook('onRoute', (route) => {
        route.config = { ...route.config, auth: false };
        route.bodyLimit ??= BODY_LIMITS.small;
      });
      scope.addHook('onRequest', async (req, reply) => admit(ctx, req, reply));
      for (const routes of ROUTES) routes(scope, ctx);
    });
  };
}
