/**
 * The sync API's types as a program embedding progeny sees them (docs/sync.md); the modules that implement sync
 * re-export them. Nothing here names a storage handle.
 */
import type { DeviceOp } from './device-log.js';
import type { KdfCost } from './kdf.js';

export interface SyncProgress {
  phase: 'seal' | 'push' | 'pull' | 'apply' | 'keys';
  done: number;
  total?: number;
}

export interface SyncRunOptions {
  signal?: AbortSignal;
  onProgress?: (p: SyncProgress) => void;
  /** Time allowed for retries before giving up with the pending count (default 60 s). */
  budgetMs?: number;
  /** Batches per pull page (default 200). */
  pageSize?: number;
  /** A fresh device starts from the relay's newest snapshot (default true). */
  snapshot?: boolean;
}

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

/** Where and why a pull stopped: the batch at `seq` was refused, or the relay's log is not the one this device read. */
export interface Stall {
  seq: number;
  kind: string;
}

export interface PullReport {
  applied: number;
  changes: number;
  own: number;
  parked: number;
  alarms: string[];
  cursor: number;
  head: number;
  /** Set when the pull stopped before the head (an alarm says why). */
  stalled?: Stall;
}

export interface PushReport {
  sealed: number;
  sent: number;
  duplicates: number;
  pending: number;
}

export interface RevokeResult {
  epoch: number;
  /** 'new': the root key is wrapped under the new passphrase; 'none': no passphrase opens the vault until one is set. */
  passphrase: 'new' | 'none';
}

export interface RecoverReport {
  /** Alarms forgotten before reading the log again (any that still hold are raised again in `pull`). */
  cleared: number;
  pull: PullReport;
}

export interface SyncReport {
  pull: PullReport;
  push: PushReport;
}

export interface EngineSync {
  status(): Promise<SyncStatus>;
  push(opts?: SyncRunOptions): Promise<PushReport>;
  pull(opts?: SyncRunOptions): Promise<PullReport>;
  /**
   * After an alarm: forgets the alarms and this device's place in the log, and reads the relay's log again from its
   * newest verified snapshot (docs/sync.md, "Alarms and recovery").
   */
  recover(opts?: SyncRunOptions): Promise<RecoverReport>;
  /** Pull, then push. */
  sync(opts?: SyncRunOptions): Promise<SyncReport>;
  init(
    relay: string,
    passphrase: string,
    opts?: { name?: string; signal?: AbortSignal; kdfCost?: KdfCost },
  ): Promise<SyncStatus>;
  join(
    relay: string,
    vaultId: string,
    passphrase: string,
    opts?: { name?: string; signal?: AbortSignal },
  ): Promise<SyncStatus>;
  approve(deviceId: string, opts?: { admin?: boolean; signal?: AbortSignal }): Promise<DeviceOp>;
  /** Drops a pending join request (admin). */
  reject(deviceId: string, opts?: { signal?: AbortSignal }): Promise<DeviceOp>;
  /**
   * Revokes a device, active or pending, and rotates the keys (admin). The new root key is wrapped under
   * `newPassphrase`, or under no passphrase until `changePassphrase` sets one; `passphrase` (the current one) is needed
   * only on a device that does not hold the vault's join key yet.
   */
  revoke(
    deviceId: string,
    opts?: { newPassphrase?: string; passphrase?: string; signal?: AbortSignal },
  ): Promise<RevokeResult>;
  /** Sets a vault device's capabilities (admin). */
  setCaps(deviceId: string, caps: string[], opts?: { signal?: AbortSignal }): Promise<DeviceOp>;
  /**
   * Admin device: pushes, pulls, then writes a snapshot at its cursor, which new devices start from and which makes the
   * relay delete the batches it covers (compaction).
   */
  snapshot(opts?: SyncRunOptions): Promise<{ seq: number; bytes: number }>;
  /**
   * Re-wraps the vault root key under a new passphrase with the current KDF (admin device). The old passphrase is
   * needed only on a device that does not hold the vault's join key yet.
   */
  changePassphrase(
    oldPassphrase: string | undefined,
    newPassphrase: string,
    opts?: { signal?: AbortSignal; kdfCost?: KdfCost },
  ): Promise<void>;
  /** New device: opens a pairing mailbox and returns the code to show (then wait() for the admin). */
  pairStart(relay: string, opts?: { name?: string; signal?: AbortSignal }): Promise<PairingCode>;
  /** Admin device: accepts a pairing code after the human compares the short strings. */
  pairAccept(
    code: string,
    confirm: (sas: string, name: string) => Promise<boolean>,
    opts?: { signal?: AbortSignal },
  ): Promise<{ deviceId: string; sas: string }>;
  /** Refreshes the device log from the relay; returns the pending join requests. */
  devices(opts?: { signal?: AbortSignal }): Promise<{ status: SyncStatus; pending: DeviceOp[] }>;
}

/** A pairing in progress on the new device (docs/sync.md, "Pairing"). */
export interface PairingCode {
  /** Shown on the new device, typed (or scanned) on the admin device. */
  code: string;
  /** Resolves once an admin accepted; returns the short authentication string to compare. */
  wait(opts?: { signal?: AbortSignal; timeoutMs?: number }): Promise<{ sas: string }>;
}
