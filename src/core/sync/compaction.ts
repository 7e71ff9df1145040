/**
 * When and how this device compacts the relay's log (docs/sync.md, "Snapshots"): an admin device writes a snapshot
 * every SNAPSHOT_EVERY log entries, and at its next sync after a memory was forgotten or a message deleted (here or on
 * any device), so the batches that still hold the erased text are deleted from the relay.
 */
import { getMeta, setMeta, stmt, type Db } from '../store/db.js';
import type { SyncSession } from './context.js';
import { loadPeers } from './peers.js';
import type { PullReport } from './pull-run.js';
import { writeSnapshot } from './snapshot.js';

/** Log entries between automatic snapshots. */
export const SNAPSHOT_EVERY = 500;

/** Forgotten memories and deleted messages this device knows of (each leaves a clock that is never removed). */
function erasureCount(db: Db): number {
  return stmt(
    db,
    "SELECT count(*) FROM sync_clocks WHERE (coll = 'memory' AND field = 'forget') OR (coll = 'message' AND field = 'delete')",
  )
    .pluck()
    .get() as number;
}

/** After a clean pull: whether this (admin) device should compact now. */
export function compactionDue(s: SyncSession, pulled: PullReport): boolean {
  const { db } = s;
  if (pulled.parked > 0 || pulled.alarms.length > 0 || pulled.stalled) return false;
  if (!loadPeers(s).get(s.vault.deviceId)?.caps.includes('admin')) return false;
  const last = Number(getMeta(db, 'sync_snapshot_announced_by_me') ?? 0);
  const erasedAtLast = Number(getMeta(db, 'sync_snapshot_erasures') ?? 0);
  return pulled.cursor - last >= SNAPSHOT_EVERY || erasureCount(db) > erasedAtLast;
}

export interface CompactionSteps {
  pull(): Promise<unknown>;
  push(): Promise<unknown>;
}

/**
 * Writes a snapshot that covers this device's own batches too (push, then pull so they come back, then write), which
 * makes the relay delete every batch up to it; the announcement goes out with a last push.
 */
export async function compactNow(
  s: SyncSession,
  steps: CompactionSteps,
  signal?: AbortSignal,
): Promise<{ seq: number; bytes: number }> {
  await steps.push();
  await steps.pull();
  const erased = erasureCount(s.db);
  const snap = await writeSnapshot(s, signal);
  setMeta(s.db, 'sync_snapshot_announced_by_me', String(snap.seq));
  setMeta(s.db, 'sync_snapshot_erasures', String(erased));
  await steps.push();
  return snap;
}
