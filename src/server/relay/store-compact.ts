/**
 * Compaction of the relay's log (docs/sync.md, "Snapshots"): once an admin device has stored a verified snapshot at
 * seq S, the relay deletes the sealed contents of every batch up to S. Each row keeps its seq, device, device seq and
 * hash (no content), so heads, gaps, replays and equivocation are still judged as before; a client whose cursor is
 * below S is told to load the snapshot instead. secure_delete zeroes the freed bytes, and a checkpoint moves them out
 * of the WAL, so a forgotten memory's ciphertext does not linger in relay.db.
 */
import { stmt, type Db } from '../../core/store/db.js';

export const RELAY_COMPACT_MIGRATION = {
  version: 3,
  name: 'relay log compaction',
  sql: `
CREATE TRIGGER log_bytes_change AFTER UPDATE OF envelope ON log BEGIN
  UPDATE vaults SET bytes = bytes - length(OLD.envelope) + length(NEW.envelope) WHERE id = NEW.vault; END;
`,
};

/** Before migrating: deleted and overwritten content is zeroed in the file, not left in free space. */
export function prepareCompaction(db: Db): void {
  db.pragma('secure_delete = ON');
}

/** Inside the snapshot's transaction: deletes the contents of the vault's batches up to `seq`. */
export function compactLog(db: Db, vault: string, seq: number): number {
  return stmt(db, "UPDATE log SET envelope = x'' WHERE vault = ? AND seq <= ? AND length(envelope) > 0").run(vault, seq)
    .changes;
}

/** After the snapshot's transaction: the WAL's copies of the deleted contents go too (best effort under readers). */
export function checkpointAfterCompaction(db: Db): void {
  try {
    db.pragma('wal_checkpoint(TRUNCATE)');
  } catch {
    // Busy: the next checkpoint overwrites them.
  }
}

/** Whether the batch after `after` was compacted away (its contents deleted): the reader must load the snapshot. */
export function compactedAfter(db: Db, vault: string, after: number): boolean {
  const len = stmt(db, 'SELECT length(envelope) FROM log WHERE vault = ? AND seq > ? ORDER BY seq LIMIT 1')
    .pluck()
    .get(vault, after) as number | undefined;
  return len === 0;
}
