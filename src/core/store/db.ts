/**
 * The embedded SQLite store: one database per home, WAL, synchronous=FULL so an acknowledged write survives power
 * loss as well as a crash, a busy timeout so two progeny processes on one home wait for each other instead of
 * failing, and versioned migrations.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { ProgenyError, storeError } from '../errors.js';
import { cjkGrams } from './cjk-grams.js';
import { MIGRATIONS, type Migration } from './migrations.js';

export type Db = Database.Database;

export interface OpenOptions {
  /** Milliseconds to wait for another process's write lock. */
  busyTimeoutMs?: number;
  migrations?: Migration[];
  /** Called with each statement's SQL as it runs (tests: which commits are durable, src/testing/sql-trace.ts). */
  verbose?: (sql: unknown) => void;
}

export function openDatabase(path: string, opts: OpenOptions = {}): Db {
  let db: Db | undefined;
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    db = new Database(path, opts.verbose ? { verbose: opts.verbose } : {});
    db.pragma(`busy_timeout = ${opts.busyTimeoutMs ?? 5000}`);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma('temp_store = MEMORY');
    // No memory map: every page a recall touches would stay in the process's RSS (serve at 100k memories grew from
    // 73 to 242 MB within 300 searches), and reading pages through the OS cache measured no slower (recall P50
    // 0.82–1.30 ms either way, alternating in one process).
    // The full-text index of unspaced scripts is kept by triggers that call this (migration 7, cjk-grams.ts): every
    // connection that writes memories needs it, so it is registered here, where every connection opens.
    db.function('progeny_cjk_grams', { deterministic: true }, (text: unknown) =>
      typeof text === 'string' ? cjkGrams(text) : '',
    );
    migrate(db, opts.migrations ?? MIGRATIONS);
    return db;
  } catch (err) {
    db?.close();
    throw translateSqliteError(err, path);
  }
}

export function migrate(db: Db, migrations: Migration[]): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  const latest = migrations.at(-1)?.version ?? 0;
  if (current > latest) {
    throw new ProgenyError('STORE_TOO_NEW', `the database was written by a newer progeny (schema ${current})`, {
      hint: 'upgrade progeny; this version understands schema ' + latest,
    });
  }
  for (const m of migrations) {
    if (m.version <= current) continue;
    immediate(db, () => {
      // Re-check inside the lock: another process may have migrated while we waited.
      const now = db.pragma('user_version', { simple: true }) as number;
      if (now >= m.version) return;
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    });
  }
}

/**
 * immediate(), committed with synchronous=NORMAL: the commit reaches the WAL (it survives a crash or SIGKILL of any
 * process) but is fsynced by the next durable commit or checkpoint rather than on its own. For frequent writes derived
 * from the conversation (limbic updates, recall counters, the user's message acknowledged with the reply), where one
 * fsync per write would cost more than their budget and a power cut loses at most the last few steps; and for data
 * that is made again when missing (the embedding and response caches, a memory's vector: docs/performance.md,
 * "Commits and fsync"). The WAL is a log, so a later durable commit makes every earlier relaxed one durable too.
 * Everything else stays FULL. Inside a transaction fn just joins it.
 */
export function relaxed<T>(db: Db, fn: () => T): T {
  if (db.inTransaction) return fn();
  stmt(db, 'PRAGMA synchronous = NORMAL').run();
  try {
    return immediate(db, fn);
  } finally {
    stmt(db, 'PRAGMA synchronous = FULL').run();
  }
}

/** Runs fn in a BEGIN IMMEDIATE transaction: takes the write lock up front so two processes never deadlock. */
export function immediate<T>(db: Db, fn: () => T): T {
  return db.transaction(fn).immediate();
}

export function translateSqliteError(err: unknown, path: string): ProgenyError {
  if (err instanceof ProgenyError) return err;
  const code = (err as { code?: string }).code ?? '';
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
    return new ProgenyError('STORE_LOCKED', `the store at ${path} is locked by another process`, {
      cause: err,
      hint: 'another progeny is writing; try again, or stop the other process',
    });
  }
  if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
    return new ProgenyError('STORE_CORRUPT', `the store at ${path} is not a valid progeny database`, {
      cause: err,
      hint: 'restore it from a backup or point --home elsewhere; progeny did not modify it',
    });
  }
  if (code === 'SQLITE_CANTOPEN' || code === 'EACCES' || code === 'SQLITE_READONLY') {
    return storeError(`cannot open the store at ${path}`, err, 'check that the progeny home exists and is writable');
  }
  return storeError(`store error: ${(err as Error).message}`, err);
}

const statementCache = new WeakMap<Db, Map<string, Database.Statement>>();

/**
 * A prepared statement reused per connection: preparing costs more than running these small hot statements, and
 * applying a large pull runs the same few statements many thousand times. The statement comes back in its default
 * mode (rows as objects): a caller that wants one column chains `.pluck()` itself, and that choice does not leak to
 * the next caller of the same SQL.
 */
export function stmt(db: Db, sql: string): Database.Statement {
  let m = statementCache.get(db);
  if (!m) statementCache.set(db, (m = new Map()));
  let st = m.get(sql);
  if (!st) m.set(sql, (st = db.prepare(sql)));
  return st.reader ? st.pluck(false) : st;
}

/**
 * A reader of the rows this connection has changed so far (SQLite's total_changes()): it moves with every write this
 * process makes, and reading it opens no read transaction (≈ 0.06 µs against ≈ 2 µs for a one-row SELECT), so a cache
 * can cheaply tell whether this process wrote since it last looked. Writes by other processes do not move it.
 */
export function localWriteCounter(db: Db): () => number {
  const st = db.prepare('SELECT total_changes()').pluck();
  return () => st.get() as number;
}

export function getMeta(db: Db, key: string): string | undefined {
  const row = stmt(db, 'SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined;
  return row?.value;
}

export function setMeta(db: Db, key: string, value: string): void {
  stmt(db, 'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(
    key,
    value,
  );
}

/** Increments and returns a named counter kept in meta; call inside a write transaction. */
export function nextCounter(db: Db, key: string, by = 1): number {
  const row = stmt(
    db,
    `INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + ?
       RETURNING value`,
  ).get(key, String(by), by) as { value: string | number };
  return Number(row.value);
}
