/** `progeny sync status`: pending work, last push/pull, head, alarms, parked batches, conflict copies, devices. */
import { getMeta, type Db } from '../store/db.js';
import { metaNum } from './context.js';
import type { VaultState } from './vault-state.js';

export interface SyncDeviceInfo {
  id: string;
  name: string;
  caps: string[];
  status: string;
  lastSeq: number;
  self: boolean;
}

export interface SyncStatus {
  configured: boolean;
  relay?: string;
  vaultId?: string;
  deviceId: string;
  deviceStatus?: 'active' | 'pending';
  keyEpoch?: number;
  pendingChanges: number;
  unsentBatches: number;
  cursor: number;
  head: number;
  lastPushAt: number | null;
  lastPullAt: number | null;
  alarms: { at: number; kind: string; detail: string }[];
  /** Where pulls stop (a refused batch, or a relay log that is not the one this device read), or null. */
  stalled: { seq: number; kind: string } | null;
  parked: { reason: string; count: number }[];
  conflicts: number;
  devices: SyncDeviceInfo[];
}

export function readStatus(db: Db, deviceId: string, vault: VaultState | undefined): SyncStatus {
  const sealed = metaNum(db, 'sync_sealed_upto');
  const unsealed = db.prepare('SELECT count(*) FROM outbox WHERE seq > ?').pluck().get(sealed) as number;
  const inBatches = db
    .prepare('SELECT coalesce(sum(changes), 0) FROM sync_batches WHERE relay_seq IS NULL')
    .pluck()
    .get() as number;
  const at = (k: string): number | null => metaNum(db, k) || null;
  return {
    configured: vault !== undefined,
    ...(vault ? { relay: vault.relay, vaultId: vault.vaultId, deviceStatus: vault.status, keyEpoch: vault.epoch } : {}),
    deviceId,
    pendingChanges: unsealed + inBatches,
    unsentBatches: db.prepare('SELECT count(*) FROM sync_batches WHERE relay_seq IS NULL').pluck().get() as number,
    cursor: metaNum(db, 'sync_cursor'),
    head: metaNum(db, 'sync_head_max'),
    lastPushAt: at('sync_last_push'),
    lastPullAt: at('sync_last_pull'),
    alarms: db.prepare('SELECT at, kind, detail FROM sync_alarms ORDER BY id').all() as SyncStatus['alarms'],
    stalled: stalled(db),
    parked: db
      .prepare('SELECT reason, count(*) AS count FROM sync_parked GROUP BY reason')
      .all() as SyncStatus['parked'],
    conflicts: db.prepare('SELECT count(*) FROM sync_conflicts').pluck().get() as number,
    devices: (
      db.prepare('SELECT device_id, name, caps, status, last_seq FROM sync_peers ORDER BY device_id').all() as {
        device_id: string;
        name: string;
        caps: string;
        status: string;
        last_seq: number;
      }[]
    ).map((r) => ({
      id: r.device_id,
      name: r.name,
      caps: JSON.parse(r.caps) as string[],
      status: r.status,
      lastSeq: r.last_seq,
      self: r.device_id === deviceId,
    })),
  };
}

function stalled(db: Db): SyncStatus['stalled'] {
  const raw = getMeta(db, 'sync_stalled');
  if (!raw) return null;
  const j = JSON.parse(raw) as { seq?: unknown; kind?: unknown };
  return { seq: Number(j.seq), kind: String(j.kind) };
}
