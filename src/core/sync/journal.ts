/**
 * The sync journal: every local mutation of a synced record calls recordChange() inside the same SQLite transaction
 * as the mutation itself, so nothing is ever changed without being queued for sync, and nothing queued is lost by a
 * crash (docs/sync.md, "Records and clocks").
 */
import type { Clock } from '../clock.js';
import { getMeta, setMeta, type Db } from '../store/db.js';
import { decodeHlc, encodeHlc, tickHlc } from './hlc.js';

/** `sync` carries the protocol's own announcements (e.g. a new snapshot), never user data. */
export type SyncCollection = 'heritage' | 'limbic' | 'memory' | 'message' | 'device' | 'sync';

export interface Journal {
  /** Must be called inside a write transaction. Returns the change's HLC. */
  recordChange(coll: SyncCollection, id: string, field: string, value: unknown): string;
  /** The next HLC without recording a change (e.g. to stamp a message row). Inside a write transaction. */
  nextHlc(): string;
  deviceId: string;
}

export function createJournal(db: Db, clock: Clock, deviceId: string): Journal {
  const insert = db.prepare(
    'INSERT INTO outbox (coll, rec_id, field, value, hlc, created_at) VALUES (?, ?, ?, ?, ?, ?)',
  );
  // The per-field clock is what last-writer-wins compares a remote change against (conflict rules, docs/sync.md).
  const clockUp = db.prepare(
    `INSERT INTO sync_clocks (coll, rec_id, field, hlc) VALUES (?, ?, ?, ?)
     ON CONFLICT(coll, rec_id, field) DO UPDATE SET hlc = excluded.hlc WHERE excluded.hlc > sync_clocks.hlc`,
  );
  const nextHlc = (): string => {
    // The last HLC lives in the database so it stays monotonic across processes sharing the home.
    const lastRaw = getMeta(db, 'hlc_last');
    const next = encodeHlc(tickHlc(lastRaw ? decodeHlc(lastRaw) : undefined, clock.now(), deviceId));
    setMeta(db, 'hlc_last', next);
    return next;
  };
  return {
    deviceId,
    nextHlc,
    recordChange(coll, id, field, value) {
      if (!db.inTransaction) throw new Error('recordChange must run inside the mutation transaction');
      const hlc = nextHlc();
      insert.run(coll, id, field, value === undefined ? null : JSON.stringify(value), hlc, clock.now());
      clockUp.run(coll, id, field, hlc);
      return hlc;
    },
  };
}
