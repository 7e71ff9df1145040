/**
 * Idempotency keys for adding memories (docs/api.md, "Idempotency"): the first request with a key reserves the ids
 * its memories will get, durably, before they are written; a retry with the same key and the same items gets the
 * same ids, so it finds the memories already stored (or stores them, if the first attempt died before writing) and
 * never adds them twice. A key reused for other items is refused. Keys live 24 hours and at most MAX_KEYS are kept.
 *
 * The table is created on first use rather than by a schema migration: nothing refers to it, and a lost table only
 * forgets keys.
 */
import { nodeCrypto } from '../lazy-builtins.js';
import type { Clock } from '../clock.js';
import { ProgenyError } from '../errors.js';
import type { UlidFactory } from '../ids.js';
import { immediate, type Db } from '../store/db.js';
import { onFirstUse } from '../store/on-first-use.js';

export const IDEMPOTENCY_TTL_MS = 24 * 3600_000;
export const MAX_KEYS = 10_000;

export interface IdempotencyKeys {
  /** The ids reserved for `key`: new ones for a new key, the same ones for a retry; IDEMPOTENCY_MISMATCH otherwise. */
  claim(key: string, items: unknown, count: number): string[];
}

export function createIdempotencyKeys(db: Db, clock: Clock, ulid: UlidFactory): IdempotencyKeys {
  db.exec(`CREATE TABLE IF NOT EXISTS idempotency_keys (
    key TEXT PRIMARY KEY, request_hash TEXT NOT NULL, ids TEXT NOT NULL, created_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS idempotency_keys_by_age ON idempotency_keys (created_at);`);
  // Prepared on first use (on-first-use.ts): only `memory add` with an Idempotency-Key runs them.
  const st = onFirstUse({
    find: () => db.prepare('SELECT request_hash, ids FROM idempotency_keys WHERE key = ?'),
    insert: () => db.prepare('INSERT INTO idempotency_keys (key, request_hash, ids, created_at) VALUES (?, ?, ?, ?)'),
    expire: () => db.prepare('DELETE FROM idempotency_keys WHERE created_at < ?'),
    count: () => db.prepare('SELECT count(*) FROM idempotency_keys').pluck(),
    trim: () =>
      db.prepare(
        'DELETE FROM idempotency_keys WHERE key IN (SELECT key FROM idempotency_keys ORDER BY created_at LIMIT ?)',
      ),
  });

  return {
    claim(key, items, n) {
      const hash = nodeCrypto().createHash('sha256').update(JSON.stringify(items)).digest('hex');
      return immediate(db, () => {
        const now = clock.now();
        const row = st.find.get(key) as { request_hash: string; ids: string } | undefined;
        if (row && row.request_hash === hash) return JSON.parse(row.ids) as string[];
        if (row)
          throw new ProgenyError('IDEMPOTENCY_MISMATCH', 'this Idempotency-Key was used for other memories', {
            hint: 'send a new Idempotency-Key for a new request; reuse a key only to retry the same one',
          });
        st.expire.run(now - IDEMPOTENCY_TTL_MS);
        const over = (st.count.get() as number) - MAX_KEYS + 1;
        if (over > 0) st.trim.run(over);
        const ids = Array.from({ length: n }, () => ulid(now));
        st.insert.run(key, hash, JSON.stringify(ids), now);
        return ids;
      });
    },
  };
}
