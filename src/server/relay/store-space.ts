/**
 * What the relay's storage may cost (docs/api.md, "Sync relay"): per-vault byte counts kept by triggers (so any code
 * that deletes batches keeps them right), the address tag recorded with each vault and pairing message (a salted
 * hash, so relay.db holds no addresses), the pairing mailbox, and the sweep that deletes expired pairing messages and
 * gives freed pages back to the file system.
 */
import { createHash } from 'node:crypto';
import { type Db, immediate, stmt } from '../../core/store/db.js';
import { addressKey } from '../rate-limit.js';

export const RELAY_SPACE_MIGRATION = {
  version: 2,
  name: 'relay quotas and space',
  sql: `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
INSERT INTO meta (key, value) VALUES ('address_salt', lower(hex(randomblob(16))));
ALTER TABLE vaults ADD COLUMN creator TEXT;
ALTER TABLE vaults ADD COLUMN bytes INTEGER NOT NULL DEFAULT 0;
UPDATE vaults SET bytes = coalesce((SELECT sum(length(envelope)) FROM log WHERE log.vault = vaults.id), 0)
  + coalesce((SELECT length(data) FROM snapshots WHERE snapshots.vault = vaults.id), 0);
CREATE INDEX vaults_by_creator ON vaults (creator, created_at);
ALTER TABLE pair ADD COLUMN creator TEXT;
CREATE INDEX pair_by_creator ON pair (creator, expires_at);
CREATE INDEX pair_by_expiry ON pair (expires_at);
CREATE TRIGGER log_bytes_in AFTER INSERT ON log BEGIN
  UPDATE vaults SET bytes = bytes + length(NEW.envelope) WHERE id = NEW.vault; END;
CREATE TRIGGER log_bytes_out AFTER DELETE ON log BEGIN
  UPDATE vaults SET bytes = bytes - length(OLD.envelope) WHERE id = OLD.vault; END;
CREATE TRIGGER snapshot_bytes_in AFTER INSERT ON snapshots BEGIN
  UPDATE vaults SET bytes = bytes + length(NEW.data) WHERE id = NEW.vault; END;
CREATE TRIGGER snapshot_bytes_out AFTER DELETE ON snapshots BEGIN
  UPDATE vaults SET bytes = bytes - length(OLD.data) WHERE id = OLD.vault; END;
CREATE TRIGGER snapshot_bytes_change AFTER UPDATE OF data ON snapshots BEGIN
  UPDATE vaults SET bytes = bytes - length(OLD.data) + length(NEW.data) WHERE id = NEW.vault; END;
`,
};

/**
 * Before migrating: freed pages go back to the file system on each sweep (auto_vacuum INCREMENTAL, which a database
 * created without it gets through one VACUUM), and the WAL file is cut back after checkpoints.
 */
export function prepareSpace(db: Db): void {
  db.pragma('journal_size_limit = 16777216');
  if ((db.pragma('auto_vacuum', { simple: true }) as number) !== 2) {
    db.pragma('auto_vacuum = INCREMENTAL');
    db.exec('VACUUM');
  }
}

export type PairPostOutcome = number | 'mailbox-full' | 'address-full' | 'relay-full';

export interface SpaceStore {
  /** A salted hash of the address's rate-limit key (IPv6 by /64): who created what, without storing addresses. */
  addressTag(address: string): string;
  /** Vaults the address created since `since`, and when the oldest of them was created. */
  vaultsCreatedBy(tag: string, since: number): { count: number; oldest: number | null };
  vaultBytes(vault: string): number;
  /** The stored snapshot's size (0 without one), without reading it. */
  snapshotBytes(vault: string): number;
  pairPost(
    id: string,
    payload: string,
    expiresAt: number,
    from: { tag: string; now: number; perAddress: number; total: number },
  ): PairPostOutcome;
  pairGet(id: string, after: number, now: number): { n: number; payload: string }[];
  /** Deletes expired pairing messages and returns freed pages to the file system. */
  sweep(now: number): { pairRows: number };
}

export const MAX_PAIR_MESSAGES = 16;

export function spaceStore(db: Db): SpaceStore {
  const salt = stmt(db, "SELECT value FROM meta WHERE key = 'address_salt'").pluck().get() as string;
  return {
    addressTag: (address) =>
      createHash('sha256')
        .update(`${salt}\0${addressKey(address)}`)
        .digest('hex')
        .slice(0, 32),
    vaultsCreatedBy(tag, since) {
      return stmt(
        db,
        'SELECT count(*) AS count, min(created_at) AS oldest FROM vaults WHERE creator = ? AND created_at > ?',
      ).get(tag, since) as { count: number; oldest: number | null };
    },
    vaultBytes: (vault) =>
      (stmt(db, 'SELECT bytes FROM vaults WHERE id = ?').pluck().get(vault) as number | undefined) ?? 0,
    snapshotBytes: (vault) =>
      (stmt(db, 'SELECT length(data) FROM snapshots WHERE vault = ?').pluck().get(vault) as number | undefined) ?? 0,
    pairPost(id, payload, expiresAt, from) {
      return immediate(db, (): PairPostOutcome => {
        const live = 'SELECT count(*) FROM pair WHERE expires_at >= ?';
        if ((stmt(db, `${live} AND creator = ?`).pluck().get(from.now, from.tag) as number) >= from.perAddress)
          return 'address-full';
        if ((stmt(db, live).pluck().get(from.now) as number) >= from.total) return 'relay-full';
        const n = stmt(db, 'SELECT coalesce(max(n), 0) + 1 FROM pair WHERE id = ?').pluck().get(id) as number;
        if (n > MAX_PAIR_MESSAGES) return 'mailbox-full';
        stmt(db, 'INSERT INTO pair (id, n, payload, expires_at, creator) VALUES (?, ?, ?, ?, ?)').run(
          id,
          n,
          payload,
          expiresAt,
          from.tag,
        );
        return n;
      });
    },
    pairGet(id, after, now) {
      return stmt(db, 'SELECT n, payload FROM pair WHERE id = ? AND n > ? AND expires_at >= ? ORDER BY n').all(
        id,
        after,
        now,
      ) as { n: number; payload: string }[];
    },
    sweep(now) {
      const pairRows = stmt(db, 'DELETE FROM pair WHERE expires_at < ?').run(now).changes;
      if ((db.pragma('freelist_count', { simple: true }) as number) > 0) {
        db.pragma('incremental_vacuum');
        // In WAL mode the file shrinks when the vacuumed pages are checkpointed; TRUNCATE also empties the WAL.
        db.pragma('wal_checkpoint(TRUNCATE)');
      }
      return { pairRows };
    },
  };
}
