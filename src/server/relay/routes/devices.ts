/** The vault's signed device log: read it (with the pending joins), and append an operation signed by an admin. */
import type { DeviceOp } from '../../../core/sync/device-log.js';
import { vaultParams, type RelayRouteModule } from '../context.js';
import { ProgenyError } from '../../../core/errors.js';
import { replay, vaultOf } from './vaults.js';

export const deviceRoutes: RelayRouteModule = (app, ctx) => {
  const { store } = ctx;

  app.get<{ Params: { v: string } }>(
    '/v1/sync/vaults/:v/devices',
    { config: { relayAuth: { allowPending: true } }, schema: { params: vaultParams } },
    async (req) => ({ ops: store.deviceOps(req.params.v), pending: store.pendingOps(req.params.v) }),
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
