/**
 * Vaults: create (signed by the genesis device whose key the body carries), read and replace the KDF parameters and
 * wrapped root key, and join with the passphrase (the join key's signature) as a pending device.
 */
import { fromB64 } from '../../../core/sync/crypto.js';
import { replayDeviceLog, verifyJoin, type DeviceOp } from '../../../core/sync/device-log.js';
import { SIG_HEADERS } from '../../../core/sync/request-sig.js';
import { header, signedBy } from '../auth.js';
import { BODY_LIMITS, VAULT_ID_PATTERN, vaultParams, type RelayContext, type RelayRouteModule } from '../context.js';
import type { FastifyReply } from 'fastify';
import { ProgenyError } from '../../../core/errors.js';
import { retryAfter } from '../errors.js';

export interface VaultParams {
  joinPk0: string;
  joinPk?: string;
  [k: string]: unknown;
}

const params = { type: 'object', required: ['joinPk0'], properties: { joinPk0: { type: 'string' } } } as const;
const op = { type: 'object' } as const;

export function vaultOf(ctx: RelayContext, v: string): { params: VaultParams; epoch: number } {
  const vault = ctx.store.vault(v);
  if (!vault) throw new ProgenyError('SYNC_NO_VAULT', 'no such vault');
  return vault as { params: VaultParams; epoch: number };
}

const joinPk = (p: VaultParams): Uint8Array => fromB64(p.joinPk0, 32);

/** The device log's devices after `ops`, or a 400 naming why the log is invalid. */
export function replay(ops: DeviceOp[], p: VaultParams): ReturnType<typeof replayDeviceLog> {
  try {
    return replayDeviceLog(ops, joinPk(p));
  } catch (err) {
    throw new ProgenyError('SYNC_DEVICE_LOG', (err as Error).message);
  }
}

const DAY_MS = 24 * 3600_000;
/** Join requests waiting for approval per vault: each needs the passphrase, but nothing else bounds them. */
export const MAX_PENDING = 32;

/** An address may create relay.vaultsPerAddress vaults per 24 hours. */
function checkVaultQuota(ctx: RelayContext, tag: string, reply: FastifyReply): void {
  const t = ctx.now();
  const made = ctx.store.vaultsCreatedBy(tag, t - DAY_MS);
  if (made.count < ctx.limits.vaultsPerAddress) return;
  retryAfter(reply, ((made.oldest ?? t) + DAY_MS - t) / 1000);
  throw new ProgenyError(
    'SYNC_QUOTA',
    `this address created ${made.count} vaults in the last 24 hours (the relay allows ${ctx.limits.vaultsPerAddress})`,
  );
}

export const vaultRoutes: RelayRouteModule = (app, ctx) => {
  const { store, now } = ctx;

  app.post<{ Body: { vaultId: string; params: VaultParams; genesis: DeviceOp; keys: unknown } }>(
    '/v1/sync/vaults',
    {
      bodyLimit: BODY_LIMITS.vault,
      schema: {
        body: {
          type: 'object',
          required: ['vaultId', 'params', 'genesis', 'keys'],
          properties: { vaultId: { type: 'string', pattern: VAULT_ID_PATTERN }, params, genesis: op, keys: op },
        },
      },
    },
    async (req, reply) => {
      const b = req.body;
      const tag = store.addressTag(req.ip);
      checkVaultQuota(ctx, tag, reply);
      const dev = replay([b.genesis], b.params).get(b.genesis.id);
      if (!dev || header(req, SIG_HEADERS.device) !== dev.id || !signedBy(req, dev.signPk, now()))
        throw new ProgenyError('SYNC_UNAUTHORIZED', 'the request must be signed by the genesis device');
      const device = { deviceId: dev.id, signPk: dev.signPk, status: 'active' as const, caps: dev.caps };
      if (!store.createVault(b.vaultId, b.params, b.genesis, device, b.keys, now(), tag))
        throw new ProgenyError('SYNC_VAULT_EXISTS', 'a vault with this id exists');
      return reply.code(201).send({ vaultId: b.vaultId });
    },
  );

  app.get<{ Params: { v: string } }>('/v1/sync/vaults/:v/params', { schema: { params: vaultParams } }, async (req) => {
    const vault = vaultOf(ctx, req.params.v);
    return { params: vault.params, epoch: vault.epoch };
  });

  app.put<{ Params: { v: string }; Body: { params: VaultParams; epoch: number; expectEpoch?: number } }>(
    '/v1/sync/vaults/:v/params',
    {
      bodyLimit: BODY_LIMITS.vault,
      config: { relayAuth: { cap: 'admin' } },
      schema: {
        params: vaultParams,
        body: {
          type: 'object',
          required: ['params', 'epoch'],
          properties: { params, epoch: { type: 'integer' }, expectEpoch: { type: 'integer' } },
        },
      },
    },
    async (req) => {
      const { v } = req.params;
      const vault = vaultOf(ctx, v);
      const b = req.body;
      if (b.params.joinPk0 !== vault.params.joinPk0)
        throw new ProgenyError('SYNC_BAD_REQUEST', 'params and epoch are required; joinPk0 never changes');
      if (!store.setParams(v, b.params, b.epoch, b.expectEpoch ?? vault.epoch))
        throw new ProgenyError('SYNC_CONFLICT', 'the vault changed meanwhile', { details: { epoch: vault.epoch } });
      return { epoch: b.epoch };
    },
  );

  app.post<{ Params: { v: string }; Body: { op: DeviceOp } }>(
    '/v1/sync/vaults/:v/join',
    { schema: { params: vaultParams, body: { type: 'object', required: ['op'], properties: { op } } } },
    async (req, reply) => {
      const { v } = req.params;
      const vault = vaultOf(ctx, v);
      const { op } = req.body;
      // The current join key (from the root key, so a revoked device cannot sign joins after the rotation); vaults
      // made before it only have the genesis one.
      const current = vault.params.joinPk === undefined ? joinPk(vault.params) : fromB64(vault.params.joinPk, 32);
      if (!verifyJoin(op, current))
        throw new ProgenyError('SYNC_BAD_JOIN', 'the join request is not signed with the vault passphrase');
      if (header(req, SIG_HEADERS.device) !== op.id || !signedBy(req, fromB64(op.signPk, 32), now()))
        throw new ProgenyError('SYNC_UNAUTHORIZED', 'the request must be signed by the joining device');
      if (store.device(v, op.id)) throw new ProgenyError('SYNC_DEVICE_EXISTS', 'this device id is already registered');
      store.addPending(v, { deviceId: op.id, signPk: fromB64(op.signPk, 32), status: 'pending', caps: [] }, op, now());
      return reply.code(202).send({ status: 'pending' });
    },
  );
};
