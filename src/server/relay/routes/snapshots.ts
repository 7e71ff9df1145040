/**
 * Snapshots (sealed and signed by an admin device; the relay checks the signature, stores only the newest and deletes
 * the contents of the batches it covers — docs/sync.md, "Snapshots") and the wrapped key epochs (compare-and-swap:
 * only the next epoch can be written).
 */
import { BODY_LIMITS, deviceOf, vaultParams, type RelayRouteModule } from '../context.js';
import { ProgenyError } from '../../../core/errors.js';
import { parseSnapshot, snapshotSignedBy } from '../../../core/sync/snapshot-format.js';
import type { RelayDevice } from '../store.js';
import { checkVaultBytes } from './batches.js';

/**
 * A snapshot deletes the batches it covers, so the relay stores only one that the authenticated admin device signed
 * for this vault and this seq (it cannot read the contents; devices check those).
 */
function checkSnapshot(bytes: Buffer, vault: string, seq: number, device: RelayDevice): void {
  let ok = false;
  try {
    const p = parseSnapshot(bytes);
    const h = p.header;
    ok = h.vaultId === vault && h.seq === seq && h.deviceId === device.deviceId && snapshotSignedBy(p, device.signPk);
  } catch {
    ok = false;
  }
  if (!ok)
    throw new ProgenyError('SYNC_BAD_REQUEST', 'the snapshot is not signed by this device for this vault and seq');
}

const epochParams = {
  type: 'object',
  required: ['v', 'epoch'],
  properties: { v: vaultParams.properties.v, epoch: { type: 'string', pattern: '^(\\d{1,9}|latest)$' } },
} as const;

export const snapshotRoutes: RelayRouteModule = (app, ctx) => {
  const { store, now, limits } = ctx;

  app.put<{ Params: { v: string }; Body: { seq: number; data: string } }>(
    '/v1/sync/vaults/:v/snapshot',
    {
      bodyLimit: limits.snapshotBytes,
      config: { relayAuth: { cap: 'admin' } },
      schema: {
        params: vaultParams,
        body: {
          type: 'object',
          required: ['seq', 'data'],
          properties: { seq: { type: 'integer', minimum: 0 }, data: { type: 'string' } },
        },
      },
    },
    async (req) => {
      const { seq, data } = req.body;
      const bytes = Buffer.from(data, 'base64');
      checkVaultBytes(ctx, req.params.v, bytes.length, store.snapshotBytes(req.params.v));
      checkSnapshot(bytes, req.params.v, seq, deviceOf(req));
      if (!store.putSnapshot(req.params.v, seq, deviceOf(req).deviceId, bytes, now()))
        throw new ProgenyError('SYNC_CONFLICT', 'a newer snapshot exists, or seq is past the head');
      return { seq };
    },
  );

  app.get<{ Params: { v: string } }>(
    '/v1/sync/vaults/:v/snapshot',
    { config: { relayAuth: {} }, schema: { params: vaultParams } },
    async (req) => {
      const s = store.getSnapshot(req.params.v);
      if (!s) throw new ProgenyError('SYNC_NO_SNAPSHOT', 'no snapshot yet');
      return { seq: s.seq, deviceId: s.deviceId, data: s.data.toString('base64') };
    },
  );

  app.put<{ Params: { v: string; epoch: string }; Body: { record: object } }>(
    '/v1/sync/vaults/:v/keys/:epoch',
    {
      bodyLimit: BODY_LIMITS.keys,
      config: { relayAuth: { cap: 'admin' } },
      schema: {
        params: epochParams,
        body: { type: 'object', required: ['record'], properties: { record: { type: 'object' } } },
      },
    },
    async (req, reply) => {
      const epoch = Number(req.params.epoch);
      if (!Number.isInteger(epoch)) throw new ProgenyError('SYNC_BAD_REQUEST', 'the epoch must be a number');
      if (!store.putKeys(req.params.v, epoch, req.body.record))
        throw new ProgenyError('SYNC_CONFLICT', 'only the next key epoch can be written');
      return reply.code(201).send({ epoch });
    },
  );

  app.get<{ Params: { v: string; epoch: string } }>(
    '/v1/sync/vaults/:v/keys/:epoch',
    { config: { relayAuth: {} }, schema: { params: epochParams } },
    async (req) => {
      const { v, epoch } = req.params;
      const k = store.getKeys(v, epoch === 'latest' ? undefined : Number(epoch));
      if (!k) throw new ProgenyError('SYNC_NO_KEYS', 'no such key epoch');
      return k;
    },
  );
};
