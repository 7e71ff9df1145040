/**
 * End-to-end encrypted sync for an engine (docs/sync.md). Front ends (the CLI's `sync` commands, the TUI's /sync, the
 * background sync of chat and serve) call exactly this API.
 */
import { logNameKey, openName } from './device-name.js';
import type { Engine } from '../engine/engine.js';
import type { LocalEngine } from '../engine/local-engine.js';
import type { SyncDeps, SyncRunOptions } from './context.js';
import { pull, type PullReport } from './pull.js';
import { push, type PushReport } from './push.js';
import { approveDevice, rejectDevice, setDeviceCaps } from './admin.js';
import { changePassphrase, revokeDevice } from './revoke.js';
import { initVault, joinVault, sessionFor } from './setup.js';
import { recover } from './recover.js';
import { readStatus, type SyncStatus } from './status.js';
import type { Transport } from './transport.js';
import { hasVault, loadVault } from './vault-state.js';
import type { SyncSession } from './context.js';
import { refreshPeers } from './peers.js';
import { compactionDue, compactNow } from './compaction.js';
import { ProgenyError } from '../errors.js';
import { pairAccept, pairStart } from './pairing.js';
import type { EngineSync } from './api.js';
export { type SyncReport, type EngineSync } from './api.js';

export type { SyncStatus, SyncDeviceInfo } from './status.js';
export type { PullReport } from './pull.js';
export type { PushReport } from './push.js';
export type { RevokeResult } from './revoke.js';
export type { RecoverReport } from './recover.js';
export type { SyncProgress, SyncRunOptions } from './context.js';

export { SNAPSHOT_EVERY } from './compaction.js';

export type SyncEngineLike = Pick<LocalEngine, 'db' | 'clock' | 'paths' | 'deviceId'> & {
  memory?: Pick<Engine['memory'], 'embedArrived'>;
};

/** What both halves of the API share: one session per engine, opened on first use, and one sync at a time. */
interface SyncHost {
  deps: SyncDeps;
  open(): SyncSession;
  /** The session of a vault this engine just created, joined or paired into. */
  adopt(session: SyncSession): void;
  serial<T>(fn: () => Promise<T>): Promise<T>;
  status(): SyncStatus;
  refuseIfConfigured(): void;
  name(n?: string): string;
  /** Pulled memories carry no vector: embed them with this device's embedder so recall finds them at once. */
  embedArrived(changes: number): Promise<void>;
}

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
  const host: SyncHost = {
    deps,
    open,
    adopt: (s) => void (session = s),
    serial: <T>(fn: () => Promise<T>): Promise<T> => {
      const next = running.then(fn, fn);
      running = next.catch(() => undefined);
      return next;
    },
    status: () => readStatus(deps.db, deps.deviceId, hasVault(deps.paths) ? open().vault : undefined),
    refuseIfConfigured: () => {
      if (hasVault(deps.paths)) {
        throw new ProgenyError(
          'SYNC_ALREADY_CONFIGURED',
          `this home already syncs with vault ${loadVault(deps.paths).vaultId}`,
          { hint: 'one home belongs to one vault; use another --home for another vault' },
        );
      }
    },
    name: (n) => n ?? `device ${deps.deviceId.slice(0, 6)}`,
    embedArrived: async (changes) => {
      if (changes > 0 && engine.memory) await engine.memory.embedArrived();
    },
  };
  return { ...syncRuns(host), ...vaultMembership(host) };
}

/** Moving data: status, push, pull, both, recovery and snapshots. */
function syncRuns(h: SyncHost): Pick<EngineSync, 'status' | 'push' | 'pull' | 'recover' | 'sync' | 'snapshot'> {
  const { open, serial } = h;
  const pullAndEmbed = async (o?: SyncRunOptions): Promise<PullReport> => {
    const r = await pull(open(), o);
    await h.embedArrived(r.changes);
    return r;
  };
  const steps = (o?: SyncRunOptions): { pull: () => Promise<PullReport>; push: () => Promise<PushReport> } => ({
    pull: () => pullAndEmbed(o),
    push: () => push(open(), o),
  });
  return {
    status: async () => h.status(),
    push: (o) => serial(() => push(open(), o)),
    pull: (o) => serial(() => pullAndEmbed(o)),
    recover: (o) =>
      serial(async () => {
        const r = await recover(open(), o);
        await h.embedArrived(r.pull.changes);
        return r;
      }),
    sync: (o) =>
      serial(async () => {
        const report = { pull: await pullAndEmbed(o), push: await push(open(), o) };
        // Compaction (best effort; the next sync tries again): see compaction.ts for when.
        if (compactionDue(open(), report.pull)) await compactNow(open(), steps(o), o?.signal).catch(() => undefined);
        return report;
      }),
    snapshot: (o = {}) => serial(() => compactNow(open(), steps(o), o.signal)),
  };
}

/** Who is in the vault: creating, joining and pairing into it, approving, revoking and the passphrase. */
function vaultMembership(h: SyncHost): Omit<EngineSync, 'status' | 'push' | 'pull' | 'recover' | 'sync' | 'snapshot'> {
  const { deps, open, serial, name } = h;
  return {
    init: (relay, pass, o = {}) =>
      serial(async () => {
        h.refuseIfConfigured();
        h.adopt(
          await initVault(deps, relay, pass, {
            name: name(o.name),
            ...(o.kdfCost ? { kdfCost: o.kdfCost } : {}),
            ...(o.signal ? { signal: o.signal } : {}),
          }),
        );
        return h.status();
      }),
    join: (relay, vaultId, pass, o = {}) =>
      serial(async () => {
        h.refuseIfConfigured();
        h.adopt(
          await joinVault(deps, relay, vaultId, pass, {
            name: name(o.name),
            ...(o.signal ? { signal: o.signal } : {}),
          }),
        );
        return h.status();
      }),
    approve: (id, o) => serial(() => approveDevice(open(), id, o)),
    reject: (id, o = {}) => serial(() => rejectDevice(open(), id, o.signal)),
    revoke: (id, o) => serial(() => revokeDevice(open(), id, o)),
    setCaps: (id, caps, o = {}) => serial(() => setDeviceCaps(open(), id, caps, o.signal)),
    changePassphrase: (oldP, newP, o = {}) => serial(() => changePassphrase(open(), oldP, newP, o)),
    pairStart: async (relay, o = {}) => {
      h.refuseIfConfigured();
      const start = await pairStart(deps, relay, name(o.name), o.signal);
      return {
        code: start.code,
        wait: async (w) => {
          const r = await start.wait(w);
          h.adopt(r.session);
          return { sas: r.sas };
        },
      };
    },
    pairAccept: (code, confirm, o = {}) => serial(() => pairAccept(open(), code, confirm, o.signal)),
    devices: (o = {}) =>
      serial(async () => {
        const s = open();
        const { pending } = await refreshPeers(s, o.signal);
        const key = s.vault.joinSeed ? logNameKey(s.vault.joinSeed) : undefined;
        return { status: h.status(), pending: pending.map((p) => ({ ...p, name: openName(p.name, key) })) };
      }),
  };
}
