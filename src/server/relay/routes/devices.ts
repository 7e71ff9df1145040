/**
 * The vault's signed device log: read it (active devices also see the pending joins; a pending device reads it only to
 * learn it was approved), append an operation signed by an admin, and reject a pending join (admin).
 */
import type { DeviceOp } from '../../../core/sync/device-log.js';
import { deviceOf, vaultParams, type RelayRouteModule } from '../context.js';
import { ProgenyError } from '../../../core/errors.js';
import { replay, vaultOf } from './vaults.js';

export const deviceRoutes: RelayRouteModule = (app, ctx) => {
  const { store } = ctx;

  app.get<{ Params: { v: string } }>(
    '/v1/sync/vaults/:v/devices',
    { config: { relayAuth: { allowPending: true } }, schema: { params: vaultParams } },
    async (req) => ({
      ops: store.deviceOps(req.params.v),
      pending: deviceOf(req).status === 'active' ? store.pendingOps(req.params.v) : [],
    }),
  );

  app.delete<{ Params: { v: string; id: string } }>(
    '/v1/sync/vaults/:v/pending/:id',
    {
      config: { relayAuth: { cap: 'admin' } },
      schema: {
        params: {
          type: 'object',
          required: ['v', 'id'],
          properties: { v: vaultParams.properties.v, id: { type: 'string', minLength: 1, maxLength: 64 } },
        },
      },
    },
    async (req) => {
      if (!store.rejectPending(req.params.v, req.params.id))
        throw new ProgenyError('NOT_FOUND', 'no pending join request from this device');
      return { rejected: req.params.id };
    },
  );

  app.post<{ Params: { v: string }; Body: { op: DeviceOp } }>(
    '/v1/sync/vaults/:v/devices',
    {
      config: { relayAuth: { cap: 'admin' } },
      schema: {
        params: vaultParams,
        body: { type: 'object', required: ['op'], properties: { op: { type: 'object' } } },
      },
    },
    async (req, reply) => {
      const { v } = req.params;
      const { op } = req.body;
      const vault = vaultOf(ctx, v);
      const d = replay([...(store.deviceOps(v) as DeviceOp[]), op], vault.params).get(op.id);
      if (!d) throw new ProgenyError('SYNC_DEVICE_LOG', 'the operation names no device');
      store.appendDeviceOp(v, op, { deviceId: d.id, signPk: d.signPk, status: d.status, caps: d.caps });
      return reply.code(201).send({ index: store.deviceOpCount(v) - 1 });
    },
  );
};
