/**
 * The state one pull carries from batch to batch (docs/sync.md, "Push and pull"): the peers as this device knows them,
 * the report, and the write helpers every batch outcome uses — raise an alarm, park a batch, advance the cursor.
 */
import { type Db, stmt } from '../store/db.js';
import { createApplier } from './apply.js';
import { alarm, metaNum, setMetaNum, type SyncSession } from './context.js';
import type { BatchHeader } from './envelope.js';
import type { Peer } from './peers.js';

export interface PullReport {
  applied: number;
  changes: number;
  own: number;
  parked: number;
  alarms: string[];
  cursor: number;
  head: number;
}

/** Why a batch waits on this device instead of being applied now (kept, never dropped). */
export type ParkReason = 'version' | 'unknown-device' | 'gap' | 'keys' | 'clock';

/** What became of one batch. */
export type BatchOutcome =
  | { kind: 'applied' }
  /** One of this device's own batches, seen back from the relay. */
  | { kind: 'own' }
  /** Nothing to do: the database already had it (another process applied it meanwhile). */
  | { kind: 'done-elsewhere' }
  /** Refused, with an alarm raised. */
  | { kind: 'rejected' }
  | { kind: 'park'; reason: ParkReason };

export interface PullRun {
  readonly s: SyncSession;
  readonly db: Db;
  readonly signal: AbortSignal | undefined;
  readonly apply: ReturnType<typeof createApplier>;
  readonly report: PullReport;
  peers: Map<string, Peer>;
  /** The device log was refetched during this page: an unknown device is not worth a second refetch. */
  refreshed: boolean;
  /** The highest head seen in this pull (the watermark a later pull compares against). */
  pageHead: number;
  /** The head watermark and the pull time are written (they ride along in the first write transaction). */
  stamped: boolean;
}

export function startRun(s: SyncSession, peers: Map<string, Peer>, signal: AbortSignal | undefined): PullRun {
  return {
    s,
    db: s.db,
    signal,
    apply: createApplier(s.db),
    report: { applied: 0, changes: 0, own: 0, parked: 0, alarms: [], cursor: metaNum(s.db, 'sync_cursor'), head: 0 },
    peers,
    refreshed: true,
    pageHead: 0,
    stamped: false,
  };
}

/** Records an alarm (shown by `progeny sync status`) and lists it in the report. */
export function raise(run: PullRun, kind: string, detail: string): void {
  alarm(run.db, run.s.clock.now(), kind, detail);
  run.report.alarms.push(`${kind}: ${detail}`);
}

export function park(run: PullRun, seq: number, h: BatchHeader | undefined, reason: ParkReason, env: Buffer): void {
  stmt(
    run.db,
    'INSERT OR IGNORE INTO sync_parked (relay_seq, device_id, device_seq, reason, envelope) VALUES (?, ?, ?, ?, ?)',
  ).run(seq, h?.deviceId ?? '', h?.deviceSeq ?? 0, reason, env);
  run.report.parked++;
}

/** Inside a write transaction of the pull: the head watermark and the pull time ride along (no extra commit). */
export function stamp(run: PullRun): void {
  const { db } = run;
  setMetaNum(db, 'sync_head_max', Math.max(metaNum(db, 'sync_head_max'), run.pageHead));
  setMetaNum(db, 'sync_last_pull', run.s.clock.now());
  run.stamped = true;
}

/** Moves the cursor to seq (inside the caller's transaction). */
export function advance(run: PullRun, seq: number): void {
  stamp(run);
  if (seq <= run.report.cursor) return; // parked batches drained later sit below the cursor already
  setMetaNum(run.db, 'sync_cursor', seq);
  run.report.cursor = seq;
}
