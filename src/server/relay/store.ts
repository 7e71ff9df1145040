/**
 * The relay's own database (relay.db beside the home database): vaults with their KDF parameters and wrapped root
 * key, the signed device log, pending joins, the append-only batch log, key epochs, snapshots, cursors and the
 * pairing mailbox. It only ever holds ciphertext, public keys and pseudonymous ids. Appends run in one immediate
 * transaction each, so `seq` order is commit order even with several relay processes on one file.
 */
import { type Db, migrate } from '../../core/store/db.js';
import Database from 'better-sqlite3';
import { prepareCompaction, RELAY_COMPACT_MIGRATION } from './store-compact.js';
import { deviceStore } from './store-devices.js';
import { logStore, snapshotStore } from './store-log.js';
import { prepareSpace, RELAY_SPACE_MIGRATION, spaceStore, type SpaceStore } from './store-space.js';
import { vaultStore } from './store-vaults.js';

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
  RELAY_COMPACT_MIGRATION,
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
  ): { items: { seq: number; envelope: Buffer }[]; head: number; prev: string | null; compacted?: number };
  head(vault: string): { head: number; perDevice: Record<string, number> };
  putKeys(vault: string, epoch: number, record: unknown): boolean;
  getKeys(vault: string, epoch?: number): { epoch: number; record: unknown } | undefined;
  /** Stores a newer snapshot and deletes the contents of the batches it covers (compaction). */
  putSnapshot(vault: string, seq: number, deviceId: string, data: Uint8Array, now: number): boolean;
  getSnapshot(vault: string): { seq: number; deviceId: string; data: Buffer } | undefined;
  setCursor(vault: string, deviceId: string, seq: number): void;
  close(): void;
}

/** Opens (and migrates) relay.db; each table group lives in its own module, sharing this one connection. */
export function openRelayStore(path: string): RelayStore {
  const db = new Database(path);
  db.pragma('busy_timeout = 5000');
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  prepareSpace(db);
  prepareCompaction(db);
  migrate(db, RELAY_MIGRATIONS);
  return {
    db,
    ...spaceStore(db),
    ...vaultStore(db),
    ...deviceStore(db),
    ...logStore(db),
    ...snapshotStore(db),
    close: () => db.close(),
  };
}
