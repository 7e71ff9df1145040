/**
 * End-to-end encrypted sync for an engine (docs/sync.md). Front ends (the CLI's `sync` commands, the TUI's /sync, the
 * background sync of chat and serve) call exactly this API.
 */
import type { Engine } from '../engine/engine.js';
import type { SyncDeps, SyncRunOptions } from './context.js';
import { pull, type PullReport } from './pull.js';
import { push, type PushReport } from './push.js';
import { approveDevice, rejectDevice, setDeviceCaps } from './admin.js';
import { changePassphrase, revokeDevice, type RevokeResult } from './revoke.js';
import { initVault, joinVault, sessionFor } from './setup.js';
import { recover, type RecoverReport } from './recover.js';
import { readStatus, type SyncStatus } from './status.js';
import type { Transport } from './transport.js';
import { hasVault, loadVault } from './vault-state.js';
import type { SyncSession } from './context.js';
import type { DeviceOp } from './device-log.js';
import type { KdfCost } from './kdf.js';
import { refreshPeers } from './peers.js';
import { writeSnapshot } from './snapshot.js';
import { getMeta, setMeta } from '../store/db.js';
import { ProgenyError } from '../errors.js';
import { pairAccept, pairStart, type PairingStart } from './pairing.js';

export type { SyncStatus, SyncDeviceInfo } from './status.js';
export type { PullReport } from './pull.js';
export type { PushReport } from './push.js';
export type { RevokeResult } from './revoke.js';
export type { RecoverReport } from './recover.js';
export type { SyncProgress, SyncRunOptions } from './context.js';

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
  /** Writes a snapshot at this device's cursor (after a complete pull) so new devices start from it. */
  snapshot(opts?: { signal?: AbortSignal }): Promise<{ seq: number; bytes: number }>;
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
  pairStart(relay: string, opts?: { name?: string; signal?: AbortSignal }): Promise<PairingStart>;
  /** Admin device: accepts a pairing code after the human compares the short strings. */
  pairAccept(
    code: string,
    confirm: (sas: string, name: string) => Promise<boolean>,
    opts?: { signal?: AbortSignal },
  ): Promise<{ deviceId: string; sas: string }>;
  /** Refreshes the device log from the relay; returns the pending join requests. */
  devices(opts?: { signal?: AbortSignal }): Promise<{ status: SyncStatus; pending: DeviceOp[] }>;
}

/** Log entries between automatic snapshots. */
export const SNAPSHOT_EVERY = 500;

export type SyncEngineLike = Pick<Engine, 'db' | 'clock' | 'paths' | 'deviceId'> & {
  memory?: Pick<Engine['memory'], 'reindex'>;
};

export function createEngineSync(
  engine: SyncEngineLike,
  extra: { transport?: Transport; sleep?: SyncDeps['sleep']; random?: () => number } = {},
): EngineSync {
  const deps: SyncDeps = {
    db: engine.db,
    clock: engine.clock,
    paths: engine.paths,
    deviceId: engine.deviceId,
    ...extra,
  };
  let session: SyncSession | undefined;
  const open = (): SyncSession => (session ??= sessionFor(deps, loadVault(deps.paths)));
  // One sync at a time per engine: the TUI's /sync and the background timer may overlap.
  let running: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = running.then(fn, fn);
    running = next.catch(() => undefined);
    return next;
  };
  /** Pulled memories carry no vector: embed them with this device's embedder so recall finds them at once. */
  const pullAndEmbed = async (o?: SyncRunOptions): Promise<PullReport> => {
    const r = await pull(open(), o);
    if (r.changes > 0 && engine.memory) await engine.memory.reindex({ staleOnly: true });
    return r;
  };
  const refuseIfConfigured = (): void => {
    if (hasVault(deps.paths)) {
      throw new ProgenyError(
        'SYNC_ALREADY_CONFIGURED',
        `this home already syncs with vault ${loadVault(deps.paths).vaultId}`,
        {
          hint: 'one home belongs to one vault; use another --home for another vault',
        },
      );
    }
  };
  const status = (): SyncStatus => readStatus(deps.db, deps.deviceId, hasVault(deps.paths) ? open().vault : undefined);
  const name = (n?: string): string => n ?? `device ${deps.deviceId.slice(0, 6)}`;

  return {
    status: async () => status(),
    push: (o) => serial(() => push(open(), o)),
    pull: (o) => serial(() => pullAndEmbed(o)),
    recover: (o) =>
      serial(async () => {
        const r = await recover(open(), o);
        if (r.pull.changes > 0 && engine.memory) await engine.memory.reindex({ staleOnly: true });
        return r;
      }),
    sync: (o) =>
      serial(async () => {
        const report = { pull: await pullAndEmbed(o), push: await push(open(), o) };
        // Compaction: a caught-up device writes a snapshot every SNAPSHOT_EVERY log entries (best effort).
        const last = Number(getMeta(deps.db, 'sync_snapshot_announced_by_me') ?? 0);
        if (report.pull.parked === 0 && report.pull.cursor - last >= SNAPSHOT_EVERY && !report.pull.alarms.length) {
          await writeSnapshot(open(), o?.signal).then(
            (r) => setMeta(deps.db, 'sync_snapshot_announced_by_me', String(r.seq)),
            () => undefined,
          );
        }
        return report;
      }),
    snapshot: (o = {}) =>
      serial(async () => {
        const r = await writeSnapshot(open(), o.signal);
        setMeta(deps.db, 'sync_snapshot_announced_by_me', String(r.seq));
        return r;
      }),
    init: (relay, pass, o = {}) =>
      serial(async () => {
        refuseIfConfigured();
        session = await initVault(deps, relay, pass, {
          name: name(o.name),
          ...(o.kdfCost ? { kdfCost: o.kdfCost } : {}),
          ...(o.signal ? { signal: o.signal } : {}),
        });
        return status();
      }),
    join: (relay, vaultId, pass, o = {}) =>
      serial(async () => {
        refuseIfConfigured();
        session = await joinVault(deps, relay, vaultId, pass, {
          name: name(o.name),
          ...(o.signal ? { signal: o.signal } : {}),
        });
        return status();
      }),
    approve: (id, o) => serial(() => approveDevice(open(), id, o)),
    reject: (id, o = {}) => serial(() => rejectDevice(open(), id, o.signal)),
    revoke: (id, o) => serial(() => revokeDevice(open(), id, o)),
    setCaps: (id, caps, o = {}) => serial(() => setDeviceCaps(open(), id, caps, o.signal)),
    changePassphrase: (oldP, newP, o = {}) => serial(() => changePassphrase(open(), oldP, newP, o)),
    pairStart: async (relay, o = {}) => {
      refuseIfConfigured();
      const start = await pairStart(deps, relay, name(o.name), o.signal);
      return {
        code: start.code,
        wait: async (w) => {
          const r = await start.wait(w);
          session = r.session;
          return r;
        },
      };
    },
    pairAccept: (code, confirm, o = {}) => serial(() => pairAccept(open(), code, confirm, o.signal)),
    devices: (o = {}) =>
      serial(async () => {
        const { pending } = await refreshPeers(open(), o.signal);
        return { status: status(), pending };
      }),
  };
}
