/**
 * The relay's vault and key tables (docs/sync.md, "Vault parameters and keyrings"): a vault's KDF parameters and wrapped
 * root key with its epoch, and the keyring records per epoch. Both epochs move by compare-and-swap so two devices
 * rotating at once cannot both win.
 */
import { type Db, immediate, stmt } from '../../core/store/db.js';
import { putDevice } from './store-devices.js';
import type { RelayStore } from './store.js';

export type VaultStore = Pick<RelayStore, 'vault' | 'createVault' | 'setParams' | 'putKeys' | 'getKeys'>;

export function vaultStore(db: Db): VaultStore {
  return {
    vault(id) {
      const r = stmt(db, 'SELECT params, epoch FROM vaults WHERE id = ?').get(id) as
        { params: string; epoch: number } | undefined;
      return r && { params: JSON.parse(r.params) as unknown, epoch: r.epoch };
    },
    createVault(id, params, genesis, dev, keyRecord, now, creator) {
      return immediate(db, () => {
        if (stmt(db, 'SELECT 1 FROM vaults WHERE id = ?').get(id)) return false;
        stmt(db, 'INSERT INTO vaults (id, params, epoch, created_at, creator) VALUES (?, ?, 0, ?, ?)').run(
          id,
          JSON.stringify(params),
          now,
          creator ?? null,
        );
        stmt(db, 'INSERT INTO device_ops (vault, idx, op) VALUES (?, 0, ?)').run(id, JSON.stringify(genesis));
        stmt(db, 'INSERT INTO keys (vault, epoch, record) VALUES (?, 0, ?)').run(id, JSON.stringify(keyRecord));
        putDevice(db, id, dev);
        return true;
      });
    },
    setParams(id, params, epoch, expectEpoch) {
      return (
        stmt(db, 'UPDATE vaults SET params = ?, epoch = ? WHERE id = ? AND epoch = ?').run(
          JSON.stringify(params),
          epoch,
          id,
          expectEpoch,
        ).changes === 1
      );
    },
    putKeys(vault, epoch, record) {
      return immediate(db, () => {
        const cur = stmt(db, 'SELECT coalesce(max(epoch), -1) FROM keys WHERE vault = ?').pluck().get(vault) as number;
        if (epoch !== cur + 1) return false; // compare-and-swap: only the next epoch
        stmt(db, 'INSERT INTO keys (vault, epoch, record) VALUES (?, ?, ?)').run(vault, epoch, JSON.stringify(record));
        return true;
      });
    },
    getKeys(vault, epoch) {
      const r = (
        epoch === undefined
          ? stmt(db, 'SELECT epoch, record FROM keys WHERE vault = ? ORDER BY epoch DESC LIMIT 1').get(vault)
          : stmt(db, 'SELECT epoch, record FROM keys WHERE vault = ? AND epoch = ?').get(vault, epoch)
      ) as { epoch: number; record: string } | undefined;
      return r && { epoch: r.epoch, record: JSON.parse(r.record) as unknown };
    },
  };
}
