/**
 * The relay's batch log (docs/sync.md, "Push and pull" and "Snapshots"): appends numbered in commit order, pages read
 * after a sequence number, each device's head, the snapshot that compacts the log below it, and read cursors.
 */
import { type Db, immediate, stmt } from '../../core/store/db.js';
import { checkpointAfterCompaction, compactedAfter, compactLog } from './store-compact.js';
import type { AppendOutcome, RelayStore } from './store.js';

export type LogStore = Pick<RelayStore, 'append' | 'page' | 'head' | 'setCursor'>;

const maxSeq = (db: Db, vault: string): number =>
  stmt(db, 'SELECT coalesce(max(seq), 0) FROM log WHERE vault = ?').pluck().get(vault) as number;

export function logStore(db: Db): LogStore {
  return {
    append(vault, deviceId, deviceSeq, hash, envelope, now) {
      return immediate(db, (): AppendOutcome => {
        const same = stmt(db, 'SELECT seq, hash FROM log WHERE vault = ? AND device_id = ? AND device_seq = ?').get(
          vault,
          deviceId,
          deviceSeq,
        ) as { seq: number; hash: string } | undefined;
        if (same) return same.hash === hash ? { seq: same.seq, dup: true } : { conflict: 'equivocation', deviceSeq };
        const last = stmt(db, 'SELECT coalesce(max(device_seq), 0) FROM log WHERE vault = ? AND device_id = ?')
          .pluck()
          .get(vault, deviceId) as number;
        if (deviceSeq !== last + 1) return { conflict: 'gap', expectedDeviceSeq: last + 1 };
        const seq = maxSeq(db, vault) + 1;
        stmt(
          db,
          'INSERT INTO log (vault, seq, device_id, device_seq, hash, envelope, at) VALUES (?, ?, ?, ?, ?, ?, ?)',
        ).run(vault, seq, deviceId, deviceSeq, hash, Buffer.from(envelope), now);
        return { seq };
      });
    },
    page(vault, after, limit, maxBytes) {
      // The hash at `after` lets a client check that the log it read is still the one served (no reused seq).
      const prev =
        after > 0
          ? ((stmt(db, 'SELECT hash FROM log WHERE vault = ? AND seq = ?').pluck().get(vault, after) as
              string | undefined) ?? null)
          : null;
      // Below the newest snapshot the log holds no contents any more: the reader loads the snapshot instead.
      if (compactedAfter(db, vault, after)) {
        const compacted = stmt(db, 'SELECT seq FROM snapshots WHERE vault = ?').pluck().get(vault) as number;
        return { items: [], head: maxSeq(db, vault), prev, compacted };
      }
      const rows = stmt(db, 'SELECT seq, envelope FROM log WHERE vault = ? AND seq > ? ORDER BY seq LIMIT ?').all(
        vault,
        after,
        limit,
      ) as { seq: number; envelope: Buffer }[];
      const items: { seq: number; envelope: Buffer }[] = [];
      let bytes = 0;
      for (const r of rows) {
        if (items.length > 0 && bytes + r.envelope.length > maxBytes) break;
        items.push(r);
        bytes += r.envelope.length;
      }
      return { items, head: maxSeq(db, vault), prev };
    },
    head(vault) {
      const rows = stmt(db, 'SELECT device_id, max(device_seq) AS n FROM log WHERE vault = ? GROUP BY device_id').all(
        vault,
      ) as { device_id: string; n: number }[];
      return { head: maxSeq(db, vault), perDevice: Object.fromEntries(rows.map((r) => [r.device_id, r.n])) };
    },
    setCursor(vault, deviceId, seq) {
      stmt(
        db,
        'INSERT INTO cursors (vault, device_id, seq) VALUES (?, ?, ?) ON CONFLICT(vault, device_id) DO UPDATE SET seq = max(seq, excluded.seq)',
      ).run(vault, deviceId, seq);
    },
  };
}

/** The newest snapshot per vault; storing one compacts the log below it (docs/sync.md, "Compaction: what is forgotten leaves the relay"). */
export function snapshotStore(db: Db): Pick<RelayStore, 'putSnapshot' | 'getSnapshot'> {
  return {
    putSnapshot(vault, seq, deviceId, data, now) {
      const stored = immediate(db, () => {
        const cur = stmt(db, 'SELECT seq FROM snapshots WHERE vault = ?').pluck().get(vault) as number | undefined;
        if (cur !== undefined && cur >= seq) return false;
        if (seq > maxSeq(db, vault)) return false;
        // An upsert, not INSERT OR REPLACE: the replaced row's delete would not fire the byte-count trigger.
        stmt(
          db,
          `INSERT INTO snapshots (vault, seq, device_id, data, at) VALUES (?, ?, ?, ?, ?) ON CONFLICT(vault)
           DO UPDATE SET seq = excluded.seq, device_id = excluded.device_id, data = excluded.data, at = excluded.at`,
        ).run(vault, seq, deviceId, Buffer.from(data), now);
        compactLog(db, vault, seq);
        return true;
      });
      if (stored) checkpointAfterCompaction(db);
      return stored;
    },
    getSnapshot(vault) {
      const r = stmt(db, 'SELECT seq, device_id, data FROM snapshots WHERE vault = ?').get(vault) as
        { seq: number; device_id: string; data: Buffer } | undefined;
      return r && { seq: r.seq, deviceId: r.device_id, data: r.data };
    },
  };
}
