/** What the sync operations share: the store, the clock, this device's secrets and the relay client. */
import type { Clock } from '../clock.js';
import type { Paths } from '../paths.js';
import { getMeta, setMeta, type Db } from '../store/db.js';
import type { RelayClient, Transport } from './transport.js';
import type { VaultState } from './vault-state.js';
export { type SyncProgress, type SyncRunOptions } from './api.js';

export interface SyncDeps {
  db: Db;
  clock: Clock;
  paths: Paths;
  deviceId: string;
  transport?: Transport;
  /** Injected by tests and the simulator. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
}

export interface SyncSession extends SyncDeps {
  vault: VaultState;
  relay: RelayClient;
  /** The last cursor this session told the relay about, and when (posts are throttled per session). */
  cursorPost?: { seq: number; at: number };
}

export const metaNum = (db: Db, key: string): number => Number(getMeta(db, key) ?? 0);
export const setMetaNum = (db: Db, key: string, n: number): void => setMeta(db, key, String(n));

export function alarm(db: Db, now: number, kind: string, detail: string): void {
  db.prepare('INSERT OR IGNORE INTO sync_alarms (at, kind, detail) VALUES (?, ?, ?)').run(now, kind, detail);
}
