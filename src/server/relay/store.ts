/**
 * The relay's own database (relay.db beside the home database): vaults with their KDF parameters and wrapped root
 * key, the signed device log, pending joins, the append-only batch log, key epochs, snapshots, cursors and the
 * pairing mailbox. It only ever holds ciphertext, public keys and pseudonymous ids. Appends run in one immediate
 * transaction each, so `seq` order is commit order even with several relay processes on one file.
 */
import { type Db, immediate, migrate, stmt } from '../../core/store/db.js';
import Database from 'better-sqlite3';
import { prepareSpace, RELAY_SPACE_MIGRATION, spaceStore, type SpaceStore } from './store-space.js';

const RELAY_MIGRATIONS = [
  {
    version: 1,
    name: 'relay schema',
    sql: `
CREATE TABLE vaults (id TEXT PRIMARY KEY, params TEXT NOT NULL, epoch INTEGER NOT NULL, created_at INTEGER NOT NULL);
CREATE TABLE devices (
  vault TEXT NOT NULL, device_id TEXT NOT NULL, sign_pk BLOB NOT NULL, status TEXT NOT NULL, caps TEXT NOT NULL,
  PRIMARY KEY (vault, device_id)
) WITHOUT ROWID;
CREATE TABLE device_ops (vault TEXT NOT NULL, idx INTEGER NOT NULL, op TEXT NOT NULL, PRIMARY KEY (vault, idx)) WITHOUT ROWID;
CREATE TABLE pending (vault TEXT NOT NULL, device_id TEXT NOT NULL, op TEXT NOT NULL, at INTEGER NOT NULL, PRIMARY KEY (vault, device_id)) WITHOUT ROWID;
CREATE TABLE log (
  vault TEXT NOT NULL, seq INTEGER NOT NULL, device_id TEXT NOT NULL, device_seq INTEGER NOT NULL, hash TEXT NOT NULL,
  envelope BLOB NOT NULL, at INTEGER NOT NULL,
  PRIMARY KEY (vault, seq), UNIQUE (vault, device_id, device_seq), UNIQUE (vault, hash)
);
CREATE TABLE keys (vault TEXT NOT NULL, epoch INTEGER NOT NULL, record TEXT NOT NULL, PRIMARY KEY (vault, epoch)) WITHOUT ROWID;
CREATE TABLE snapshots (vault TEXT PRIMARY KEY, seq INTEGER NOT NULL, device_id TEXT NOT NULL, data BLOB NOT NULL, at INTEGER NOT NULL);
CREATE TABLE cursors (vault TEXT NOT NULL, device_id TEXT NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (vault, device_id)) WITHOUT ROWID;
CREATE TABLE pair (id TEXT NOT NULL, n INTEGER NOT NULL, payload TEXT NOT NULL, expires_at INTEGER NOT NULL, PRIMARY KEY (id, n));
`,
  },
  RELAY_SPACE_MIGRATION,
];

export interface RelayDevice {
  deviceId: string;
  signPk: Uint8Array;
  status: 'active' | 'pending' | 'revoked';
  caps: string[];
}

export interface AppendResult {
  seq: number;
  dup?: true;
}

export type AppendOutcome =
  AppendResult | { conflict: 'gap'; expectedDeviceSeq: number } | { conflict: 'equivocation'; deviceSeq: number };

export interface RelayStore extends SpaceStore {
  db: Db;
  vault(id: string): { params: unknown; epoch: number } | undefined;
  createVault(
    id: string,
    params: unknown,
    genesis: unknown,
    genesisDevice: RelayDevice,
    keyRecord: unknown,
    now: number,
    creator?: string,
  ): boolean;
  setParams(id: string, params: unknown, epoch: number, expectEpoch: number): boolean;
  device(vault: string, deviceId: string): RelayDevice | undefined;
  devices(vault: string): RelayDevice[];
  deviceOps(vault: string): unknown[];
  deviceOpCount(vault: string): number;
  appendDeviceOp(vault: string, op: unknown, device: RelayDevice): void;
  addPending(vault: string, device: RelayDevice, op: unknown, now: number): void;
  /** Drops a pending join and its registration; false if there was none. */
  rejectPending(vault: string, deviceId: string): boolean;
  pendingOps(vault: string): unknown[];
  append(
    vault: string,
    deviceId: string,
    deviceSeq: number,
    hash: string,
    envelope: Uint8Array,
    now: number,
  ): AppendOutcome;
  page(
    vault: string,
    after: number,
    limit: number,
    maxBytes: number,
  ): { items: { seq: number; envelope: Buffer }[]; head: number; prev: string | null };
  head(vault: string): { head: number; perDevice: Record<string, number> };
  putKeys(vault: string, epoch: number, record: unknown): boolean;
  getKeys(vault: string, epoch?: number): { epoch: number; record: unknown } | undefined;
  putSnapshot(vault: string, seq: number, deviceId: string, data: Uint8Array, now: number): boolean;
  getSnapshot(vault: string): { seq: number; deviceId: string; data: Buffer } | undefined;
  setCursor(vault: string, deviceId: string, seq: number): void;
  close(): void;
}

export function openRelayStore(path: string): RelayStore {
  const db = new Database(path);
  db.pragma('busy_timeout = 5000');
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  prepareSpace(db);
  migrate(db, RELAY_MIGRATIONS);
  const toDevice = (r: {
    device_id: string;
    sign_pk: Buffer;
    status: RelayDevice['status'];
    caps: string;
  }): RelayDevice => ({
    deviceId: r.device_id,
    signPk: new Uint8Array(r.sign_pk),
    status: r.status,
    caps: JSON.parse(r.caps) as string[],
  });
  const upsertDevice = stmt(
    db,
    `INSERT INTO devices (vault, device_id, sign_pk, status, caps) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT(vault, device_id) DO UPDATE SET sign_pk = excluded.sign_pk, status = excluded.status, caps = excluded.caps`,
  );
  const putDevice = (vault: string, d: RelayDevice): void => {
    upsertDevice.run(vault, d.deviceId, Buffer.from(d.signPk), d.status, JSON.stringify(d.caps));
  };
  const maxSeq = stmt(db, 'SELECT coalesce(max(seq), 0) FROM log WHERE vault = ?').pluck();
  const hashAt = stmt(db, 'SELECT hash FROM log WHERE vault = ? AND seq = ?').pluck();
  const dropAllPending = (vault: string): void => {
    stmt(db, 'DELETE FROM pending WHERE vault = ?').run(vault);
    stmt(db, "DELETE FROM devices WHERE vault = ? AND status = 'pending'").run(vault);
  };

  return {
    db,
    ...spaceStore(db),
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
        putDevice(id, dev);
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
    device(vault, deviceId) {
      const r = stmt(db, 'SELECT * FROM devices WHERE vault = ? AND device_id = ?').get(vault, deviceId) as
        Parameters<typeof toDevice>[0] | undefined;
      return r && toDevice(r);
    },
    devices: (vault) =>
      (stmt(db, 'SELECT * FROM devices WHERE vault = ?').all(vault) as Parameters<typeof toDevice>[0][]).map(toDevice),
    deviceOps: (vault) =>
      (stmt(db, 'SELECT op FROM device_ops WHERE vault = ? ORDER BY idx').pluck().all(vault) as string[]).map(
        (s) => JSON.parse(s) as unknown,
      ),
    deviceOpCount: (vault) => stmt(db, 'SELECT count(*) FROM device_ops WHERE vault = ?').pluck().get(vault) as number,
    appendDeviceOp(vault, op, device) {
      immediate(db, () => {
        const idx = stmt(db, 'SELECT coalesce(max(idx), -1) + 1 FROM device_ops WHERE vault = ?')
          .pluck()
          .get(vault) as number;
        stmt(db, 'INSERT INTO device_ops (vault, idx, op) VALUES (?, ?, ?)').run(vault, idx, JSON.stringify(op));
        stmt(db, 'DELETE FROM pending WHERE vault = ? AND device_id = ?').run(vault, device.deviceId);
        putDevice(vault, device);
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
        putDevice(vault, device);
      });
    },
    rejectPending(vault, deviceId) {
      return immediate(db, () => {
        const n = stmt(db, 'DELETE FROM pending WHERE vault = ? AND device_id = ?').run(vault, deviceId).changes;
        stmt(db, "DELETE FROM devices WHERE vault = ? AND device_id = ? AND status = 'pending'").run(vault, deviceId);
        return n > 0;
      });
    },
    pendingOps: (vault) =>
      (stmt(db, 'SELECT op FROM pending WHERE vault = ? ORDER BY at').pluck().all(vault) as string[]).map(
        (s) => JSON.parse(s) as unknown,
      ),
    append(vault, deviceId, deviceSeq, hash, envelope, now) {
      return immediate(db, (): AppendOutcome => {
        const same = stmt(db, 'SELECT seq, hash FROM log WHERE vault = ? AND device_id = ? AND device_seq = ?').get(
          vault,
          deviceId,
          deviceSeq,
        ) as { seq: number; hash: string } | undefined;
        if (same) return same.hash === hash ? { seq: same.seq, dup: true } : { conflict: 'equivocation', deviceSeq };
        const last = stmt(db, 'SELECT coalesce(max(device_seq), 0) FROM log WHERE vault = ? AND device_id = ?')
          .pluck()
          .get(vault, deviceId) as number;
        if (deviceSeq !== last + 1) return { conflict: 'gap', expectedDeviceSeq: last + 1 };
        const seq = (maxSeq.get(vault) as number) + 1;
        stmt(
          db,
          'INSERT INTO log (vault, seq, device_id, device_seq, hash, envelope, at) VALUES (?, ?, ?, ?, ?, ?, ?)',
        ).run(vault, seq, deviceId, deviceSeq, hash, Buffer.from(envelope), now);
        return { seq };
      });
    },
    page(vault, after, limit, maxBytes) {
      const rows = stmt(db, 'SELECT seq, envelope FROM log WHERE vault = ? AND seq > ? ORDER BY seq LIMIT ?').all(
        vault,
        after,
        limit,
      ) as { seq: number; envelope: Buffer }[];
      const items: { seq: number; envelope: Buffer }[] = [];
      let bytes = 0;
      for (const r of rows) {
        if (items.length > 0 && bytes + r.envelope.length > maxBytes) break;
        items.push(r);
        bytes += r.envelope.length;
      }
      // The hash at `after` lets a client check that the log it read is still the one served (no reused seq).
      const prev = after > 0 ? (hashAt.get(vault, after) as string | undefined) : undefined;
      return { items, head: maxSeq.get(vault) as number, prev: prev ?? null };
    },
    head(vault) {
      const rows = stmt(db, 'SELECT device_id, max(device_seq) AS n FROM log WHERE vault = ? GROUP BY device_id').all(
        vault,
      ) as { device_id: string; n: number }[];
      return { head: maxSeq.get(vault) as number, perDevice: Object.fromEntries(rows.map((r) => [r.device_id, r.n])) };
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
    putSnapshot(vault, seq, deviceId, data, now) {
      return immediate(db, () => {
        const cur = stmt(db, 'SELECT seq FROM snapshots WHERE vault = ?').pluck().get(vault) as number | undefined;
        if (cur !== undefined && cur >= seq) return false;
        if (seq > (maxSeq.get(vault) as number)) return false;
        // An upsert, not INSERT OR REPLACE: the replaced row's delete would not fire the byte-count trigger.
        stmt(
          db,
          `INSERT INTO snapshots (vault, seq, device_id, data, at) VALUES (?, ?, ?, ?, ?) ON CONFLICT(vault)
           DO UPDATE SET seq = excluded.seq, device_id = excluded.device_id, data = excluded.data, at = excluded.at`,
        ).run(vault, seq, deviceId, Buffer.from(data), now);
        return true;
      });
    },
    getSnapshot(vault) {
      const r = stmt(db, 'SELECT seq, device_id, data FROM snapshots WHERE vault = ?').get(vault) as
        { seq: number; device_id: string; data: Buffer } | undefined;
      return r && { seq: r.seq, deviceId: r.device_id, data: r.data };
    },
    setCursor(vault, deviceId, seq) {
      stmt(
        db,
        'INSERT INTO cursors (vault, device_id, seq) VALUES (?, ?, ?) ON CONFLICT(vault, device_id) DO UPDATE SET seq = max(seq, excluded.seq)',
      ).run(vault, deviceId, seq);
    },
    close: () => db.close(),
  };
}
