/**
 * The state one pull carries from batch to batch (docs/sync.md, "Push and pull"): the peers as this device knows them,
 * the report, and the write helpers every batch outcome uses — raise an alarm, park a batch, move the cursor. The
 * cursor never passes a rejected batch: the pull stops there (`stop`), and the next pull asks for it again, so a
 * repaired relay heals the device (docs/sync.md, "Alarms and recovery").
 */
import { getMeta, setMeta, stmt, type Db } from '../store/db.js';
import { createApplier } from './apply.js';
import { alarm, metaNum, setMetaNum, type SyncSession } from './context.js';
import type { BatchHeader } from './envelope.js';
import type { Peer } from './peers.js';

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

/** Why a batch waits on this device instead of being applied now (kept, never dropped). */
export type ParkReason = 'version' | 'unknown-device' | 'gap' | 'keys' | 'clock';

/** What became of one batch. */
export type BatchOutcome =
  | { kind: 'applied' }
  /** One of this device's own batches, seen back from the relay. */
  | { kind: 'own' }
  /** Nothing to do: this device has it already (read before, served again, or applied by another process). */
  | { kind: 'duplicate' }
  /** Refused, with an alarm raised: the pull stops before it. */
  | { kind: 'rejected'; alarm: string }
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
  /** The highest seq any pull has read: a batch at or below it is read again, not replayed by the relay. */
  readonly readUpTo: number;
  /** `progeny sync recover` is re-reading the log: batches this device has are expected anywhere in it. */
  readonly recovering: boolean;
  /** Per device, the highest deviceSeq a recovery found missing from the relay: its return is no replay. */
  readonly repush: Record<string, number>;
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
    readUpTo: metaNum(s.db, 'sync_read_upto'),
    recovering: getMeta(s.db, 'sync_recovering') === '1',
    repush: JSON.parse(getMeta(s.db, 'sync_repush') || '{}') as Record<string, number>,
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

/**
 * Moves the cursor past the batch at `seq` with hash `hash` (inside the caller's transaction). The hash is the anchor
 * the next page is checked against: a relay that later serves another batch at that seq has reused it.
 */
export function advance(run: PullRun, seq: number, hash: string): void {
  stamp(run);
  if (seq <= run.report.cursor) return; // parked batches drained later sit below the cursor already
  setMetaNum(run.db, 'sync_cursor', seq);
  setMeta(run.db, 'sync_anchor', `${seq} ${hash}`);
  setMetaNum(run.db, 'sync_read_upto', Math.max(metaNum(run.db, 'sync_read_upto'), seq));
  run.report.cursor = seq;
}

/** The seq and hash of the batch at the cursor, as this device read it. */
export function anchor(db: Db): { seq: number; hash: string } | undefined {
  const [seq, hash] = (getMeta(db, 'sync_anchor') ?? '').split(' ');
  return seq && hash ? { seq: Number(seq), hash } : undefined;
}

/** Stops the pull before the batch at `seq` (moving the cursor back if it was past it: a parked batch). */
export function stopAt(run: PullRun, seq: number, kind: string): void {
  run.report.stalled ??= { seq, kind };
  if (seq <= 0 || seq > run.report.cursor) return;
  setMetaNum(run.db, 'sync_cursor', seq - 1);
  setMeta(run.db, 'sync_anchor', '');
  run.report.cursor = seq - 1;
}
