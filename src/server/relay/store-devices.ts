/**
 * The relay's device tables (docs/sync.md, "The device log"): the registered devices with their signing keys, the
 * signed device log (genesis, joins, revocations) and the pending joins an admitted device still has to approve.
 */
import { type Db, immediate, stmt } from '../../core/store/db.js';
import type { RelayDevice, RelayStore } from './store.js';

type DeviceRow = { device_id: string; sign_pk: Buffer; status: RelayDevice['status']; caps: string };

const toDevice = (r: DeviceRow): RelayDevice => ({
  deviceId: r.device_id,
  signPk: new Uint8Array(r.sign_pk),
  status: r.status,
  caps: JSON.parse(r.caps) as string[],
});

/** Registers a device or updates its key, status and capabilities (vault creation uses it for the first device). */
export function putDevice(db: Db, vault: string, d: RelayDevice): void {
  stmt(
    db,
    `INSERT INTO devices (vault, device_id, sign_pk, status, caps) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT(vault, device_id) DO UPDATE SET sign_pk = excluded.sign_pk, status = excluded.status, caps = excluded.caps`,
  ).run(vault, d.deviceId, Buffer.from(d.signPk), d.status, JSON.stringify(d.caps));
}

const parsedOps = (rows: unknown[]): unknown[] => (rows as string[]).map((s) => JSON.parse(s) as unknown);

export type DeviceStore = Pick<
  RelayStore,
  | 'device'
  | 'devices'
  | 'deviceOps'
  | 'deviceOpCount'
  | 'appendDeviceOp'
  | 'addPending'
  | 'rejectPending'
  | 'pendingOps'
>;

export function deviceStore(db: Db): DeviceStore {
  const dropAllPending = (vault: string): void => {
    stmt(db, 'DELETE FROM pending WHERE vault = ?').run(vault);
    stmt(db, "DELETE FROM devices WHERE vault = ? AND status = 'pending'").run(vault);
  };
  return {
    device(vault, deviceId) {
      const r = stmt(db, 'SELECT * FROM devices WHERE vault = ? AND device_id = ?').get(vault, deviceId) as
        DeviceRow | undefined;
      return r && toDevice(r);
    },
    devices: (vault) => (stmt(db, 'SELECT * FROM devices WHERE vault = ?').all(vault) as DeviceRow[]).map(toDevice),
    deviceOps: (vault) =>
      parsedOps(stmt(db, 'SELECT op FROM device_ops WHERE vault = ? ORDER BY idx').pluck().all(vault)),
    deviceOpCount: (vault) => stmt(db, 'SELECT count(*) FROM device_ops WHERE vault = ?').pluck().get(vault) as number,
    appendDeviceOp(vault, op, device) {
      immediate(db, () => {
        const idx = stmt(db, 'SELECT coalesce(max(idx), -1) + 1 FROM device_ops WHERE vault = ?')
          .pluck()
          .get(vault) as number;
        stmt(db, 'INSERT INTO device_ops (vault, idx, op) VALUES (?, ?, ?)').run(vault, idx, JSON.stringify(op));
        stmt(db, 'DELETE FROM pending WHERE vault = ? AND device_id = ?').run(vault, device.deviceId);
        putDevice(db, vault, device);
        // A revocation ends every pending join: they were asked with the passphrase the revoked device may know.
        if ((op as { op?: string }).op === 'revoke') dropAllPending(vault);
      });
    },
    addPending(vault, device, op, now) {
      immediate(db, () => {
        stmt(db, 'INSERT OR REPLACE INTO pending (vault, device_id, op, at) VALUES (?, ?, ?, ?)').run(
          vault,
          device.deviceId,
          JSON.stringify(op),
          now,
        );
        putDevice(db, vault, device);
      });
    },
    rejectPending(vault, deviceId) {
      return immediate(db, () => {
        const n = stmt(db, 'DELETE FROM pending WHERE vault = ? AND device_id = ?').run(vault, deviceId).changes;
        stmt(db, "DELETE FROM devices WHERE vault = ? AND device_id = ? AND status = 'pending'").run(vault, deviceId);
        return n > 0;
      });
    },
    pendingOps: (vault) => parsedOps(stmt(db, 'SELECT op FROM pending WHERE vault = ? ORDER BY at').pluck().all(vault)),
  };
}
