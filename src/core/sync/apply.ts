/**
 * Applies remote changes by the conflict rules (docs/sync.md, "Conflict rules"), inside the caller's transaction:
 * - limbic and heritage: last writer wins per field by HLC; a losing heritage value over 200 characters is kept as a
 *   conflict copy, and every applied heritage change is a new version;
 * - memory: add-wins by id, last writer wins per field, forget wins and purges content;
 * - message: append-only by id, deletes are tombstones;
 * - device: last writer wins per field, revocation wins.
 * The per-field clocks live in sync_clocks (written by the journal for local changes and here for remote ones).
 */
import { type Db, nextCounter, stmt } from '../store/db.js';
import { createHash } from 'node:crypto';
import type { Change } from './changes.js';
import { createMemoryApplier } from './apply-memory.js';
import { canonicalJson } from '../heritage/types.js';

export const LONG_TEXT = 200;

export interface ApplyContext {
  db: Db;
  now: number;
  /** The device the batch came from (for logs and reasons). */
  from: string;
  /** The relay seq of the batch, when applying from the log. */
  relaySeq?: number;
}

export interface ApplyStats {
  applied: number;
  ignored: number;
  conflicts: number;
}

export function createApplier(db: Db): (ctx: ApplyContext, changes: Change[]) => ApplyStats {
  const getClock = stmt(db, 'SELECT hlc FROM sync_clocks WHERE coll = ? AND rec_id = ? AND field = ?').pluck();
  const setClock = stmt(
    db,
    `INSERT INTO sync_clocks (coll, rec_id, field, hlc) VALUES (?, ?, ?, ?)
     ON CONFLICT(coll, rec_id, field) DO UPDATE SET hlc = excluded.hlc WHERE excluded.hlc > sync_clocks.hlc`,
  );
  /** The newest clock of a field: its own or its record's whole-record write ('*'). */
  const clockOf = (c: string, id: string, f: string): string => {
    const a = (getClock.get(c, id, f) as string | undefined) ?? '';
    const b = (getClock.get(c, id, '*') as string | undefined) ?? '';
    return a > b ? a : b;
  };
  const wins = (ch: Change): boolean => ch.h > clockOf(ch.c, ch.i, ch.f);
  const memory = createMemoryApplier(db, { clockOf, setClock: (id, f, h) => setClock.run('memory', id, f, h) });

  return (ctx, changes) => {
    const stats: ApplyStats = { applied: 0, ignored: 0, conflicts: 0 };
    const limbic: Record<string, unknown> = {};
    const heritage: HeritageBatch = { changed: {}, local: undefined };
    let devicesChanged = false;
    const memo: MessageMemo = {
      convs: new Set(),
      touched: new Map(),
      anyTombstones:
        stmt(db, "SELECT 1 FROM sync_clocks WHERE coll = 'message' AND field = 'delete' LIMIT 1").get() !== undefined,
    };

    for (const ch of changes) {
      if (ch.c === 'limbic') {
        if (wins(ch)) {
          limbic[ch.f] = ch.v;
          setClock.run('limbic', ch.i, ch.f, ch.h);
          stats.applied++;
        } else stats.ignored++;
      } else if (ch.c === 'heritage') {
        const won = wins(ch);
        applyHeritage(db, ctx, ch, won, () => clockOf('heritage', ch.i, ch.f), heritage, stats);
        if (won) setClock.run('heritage', ch.i, ch.f, ch.h);
      } else if (ch.c === 'memory') {
        if (memory(ch, ctx.now)) stats.applied++;
        else stats.ignored++;
      } else if (ch.c === 'message') {
        if (applyMessage(db, ch, memo)) stats.applied++;
        else stats.ignored++;
      } else if (ch.c === 'sync') {
        if (ch.f === 'snapshot') noteSnapshotAnnouncement(db, ch, ctx);
        stats.ignored++;
      } else if (ch.c === 'device') {
        if (applyDevice(db, ch, wins(ch), ctx.now)) {
          setClock.run('device', ch.i, ch.f, ch.h);
          devicesChanged = true;
          stats.applied++;
        } else stats.ignored++;
      }
    }
    if (Object.keys(limbic).length) writeLimbic(db, limbic, ctx);
    if (Object.keys(heritage.changed).length) writeHeritage(db, heritage.local ?? {}, heritage.changed, ctx);
    if (devicesChanged) nextCounter(db, 'devices_version');
    touchConversations(db, memo);
    return stats;
  };
}

const isLong = (v: unknown): boolean => v !== undefined && v !== null && JSON.stringify(v).length > LONG_TEXT;

/** A batch's heritage changes, collected per field and written as one new version at its end (writeHeritage). */
interface HeritageBatch {
  changed: Record<string, unknown>;
  /** The newest local version, read at the batch's first heritage change. */
  local: Record<string, unknown> | undefined;
}

/**
 * A heritage field: last writer wins, but a long value (over LONG_TEXT characters) that loses, local or remote, is kept
 * as a conflict copy in sync_conflicts, so a written-out part of the companion's character never vanishes silently.
 */
function applyHeritage(
  db: Db,
  ctx: ApplyContext,
  ch: Change,
  won: boolean,
  localClock: () => string,
  batch: HeritageBatch,
  stats: ApplyStats,
): void {
  batch.local ??= currentHeritage(db);
  const keep = (value: unknown, hlc: string, origin: string): void => {
    stmt(
      db,
      'INSERT INTO sync_conflicts (at, coll, rec_id, field, value, hlc, origin) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ).run(ctx.now, 'heritage', ch.i, ch.f, JSON.stringify(value), hlc, origin);
    stats.conflicts++;
  };
  if (won) {
    const local = ch.f in batch.changed ? batch.changed[ch.f] : batch.local?.[ch.f];
    if (isLong(local) && JSON.stringify(local) !== JSON.stringify(ch.v)) keep(local, localClock(), 'local');
    batch.changed[ch.f] = ch.v;
    stats.applied++;
  } else {
    if (isLong(ch.v) && JSON.stringify(batch.local?.[ch.f]) !== JSON.stringify(ch.v))
      keep(ch.v, ch.h, `remote:${ctx.from}`);
    stats.ignored++;
  }
}

/** A snapshot announcement: remembered so a stale snapshot served later (or earlier) can be detected. */
function noteSnapshotAnnouncement(db: Db, ch: Change, ctx: ApplyContext): void {
  const seq = Number((ch.v as { seq?: unknown } | null)?.seq);
  if (!Number.isInteger(seq)) return;
  const meta = (k: string): number => Number(stmt(db, 'SELECT value FROM meta WHERE key = ?').pluck().get(k) ?? 0);
  const loaded = meta('sync_snapshot_loaded');
  // Announced in the log before we fetched our snapshot, and newer than it: the relay withheld the newest.
  if (loaded > 0 && seq > loaded && ctx.relaySeq !== undefined && ctx.relaySeq <= meta('sync_snapshot_head')) {
    stmt(db, 'INSERT OR IGNORE INTO sync_alarms (at, kind, detail) VALUES (?, ?, ?)').run(
      ctx.now,
      'stale-snapshot',
      `the relay served the snapshot at ${loaded} although one at ${seq} existed`,
    );
  }
}

function currentHeritage(db: Db): Record<string, unknown> | undefined {
  const doc = stmt(db, 'SELECT doc FROM heritage_versions ORDER BY version DESC LIMIT 1').pluck().get() as
    string | undefined;
  return doc ? (JSON.parse(doc) as Record<string, unknown>) : undefined;
}

function writeHeritage(
  db: Db,
  base: Record<string, unknown>,
  fields: Record<string, unknown>,
  ctx: ApplyContext,
): void {
  const doc: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(fields)) {
    if (v === null || v === undefined) delete doc[k];
    else doc[k] = v;
  }
  const canonical = canonicalJson(doc);
  const version = ((stmt(db, 'SELECT max(version) FROM heritage_versions').pluck().get() as number | null) ?? 0) + 1;
  const stateRow = stmt(db, 'SELECT state FROM limbic_state WHERE id = 1').pluck().get() as string | undefined;
  const trust = stateRow ? ((JSON.parse(stateRow) as { trust?: number }).trust ?? 0.5) : 0.5;
  stmt(
    db,
    'INSERT INTO heritage_versions (version, created_at, reason, trust, hash, doc, origin) VALUES (?, ?, ?, ?, ?, ?, ?)',
  ).run(
    version,
    ctx.now,
    `synced from device ${ctx.from}`,
    trust,
    createHash('sha256').update(canonical).digest('hex'),
    JSON.stringify(doc),
    'sync',
  );
}

function writeLimbic(db: Db, fields: Record<string, unknown>, ctx: ApplyContext): void {
  const row = stmt(db, 'SELECT version, state FROM limbic_state WHERE id = 1').get() as
    { version: number; state: string } | undefined;
  const state = row ? (JSON.parse(row.state) as Record<string, unknown>) : {};
  const log = stmt(
    db,
    'INSERT INTO limbic_log (at, variable, before, after, delta, cause, turn_id) VALUES (?, ?, ?, ?, ?, ?, NULL)',
  );
  for (const [k, v] of Object.entries(fields)) {
    if (['trust', 'warmth', 'arousal', 'valence', 'posture', 'flags'].includes(k)) {
      log.run(ctx.now, k, JSON.stringify(state[k] ?? null), JSON.stringify(v), null, `synced from device ${ctx.from}`);
    }
    state[k] = v;
  }
  // Bumping the version invalidates every process's cached state (limbic/service.ts).
  stmt(
    db,
    `INSERT INTO limbic_state (id, version, state, updated_at) VALUES (1, ?, ?, ?)
     ON CONFLICT(id) DO UPDATE SET version = excluded.version, state = excluded.state, updated_at = excluded.updated_at`,
  ).run((row?.version ?? 0) + 1, JSON.stringify(state), ctx.now);
}

/** Per-batch memo for messages: conversations already ensured, their latest activity, whether any tombstone exists. */
interface MessageMemo {
  convs: Set<string>;
  touched: Map<string, { at: number; title: string }>;
  anyTombstones: boolean;
}

function applyMessage(db: Db, ch: Change, memo: MessageMemo): boolean {
  const v = (ch.v ?? {}) as Record<string, unknown>;
  if (ch.f === 'conversation') {
    const r = stmt(
      db,
      'INSERT OR IGNORE INTO conversations (id, actor, title, created_at, updated_at) VALUES (?, ?, ?, ?, ?)',
    ).run(
      ch.i,
      String(v.actor ?? 'creator'),
      String(v.title ?? ''),
      Number(v.createdAt ?? 0),
      Number(v.createdAt ?? 0),
    );
    memo.convs.add(ch.i);
    return r.changes === 1;
  }
  if (ch.f === '*') {
    const conv = String(v.conversationId ?? '');
    const createdAt = Number(v.createdAt ?? 0);
    if (!memo.convs.has(conv)) {
      // A message may arrive before its conversation (another device's older batch): create a placeholder.
      stmt(
        db,
        'INSERT OR IGNORE INTO conversations (id, actor, title, created_at, updated_at) VALUES (?, ?, ?, ?, ?)',
      ).run(conv, 'creator', '', createdAt, createdAt);
      memo.convs.add(conv);
    }
    const r = stmt(
      db,
      'INSERT OR IGNORE INTO messages (id, conversation_id, turn_id, role, text, created_at, status, meta, hlc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ).run(
      ch.i,
      conv,
      String(v.turnId ?? ''),
      v.role === 'assistant' ? 'assistant' : 'user',
      String(v.text ?? ''),
      createdAt,
      String(v.status ?? 'complete'),
      JSON.stringify(v.meta ?? {}),
      ch.h,
    );
    if (r.changes === 1) {
      const t = memo.touched.get(conv) ?? { at: 0, title: '' };
      t.at = Math.max(t.at, createdAt);
      if (!t.title && v.role === 'user') t.title = String(v.text ?? '').slice(0, 60);
      memo.touched.set(conv, t);
    }
    // A tombstone that arrived first wins over the late insert.
    if (
      memo.anyTombstones &&
      stmt(db, "SELECT 1 FROM sync_clocks WHERE coll = 'message' AND rec_id = ? AND field = 'delete'").get(ch.i)
    ) {
      stmt(db, "UPDATE messages SET text = '', status = 'deleted', meta = '{}' WHERE id = ?").run(ch.i);
    }
    return r.changes === 1;
  }
  if (ch.f === 'delete') {
    stmt(db, "INSERT OR IGNORE INTO sync_clocks (coll, rec_id, field, hlc) VALUES ('message', ?, 'delete', ?)").run(
      ch.i,
      ch.h,
    );
    memo.anyTombstones = true;
    return (
      stmt(
        db,
        "UPDATE messages SET text = '', status = 'deleted', meta = '{}' WHERE id = ? AND status != 'deleted'",
      ).run(ch.i).changes === 1
    );
  }
  return false;
}

function touchConversations(db: Db, memo: MessageMemo): void {
  for (const [conv, t] of memo.touched) {
    stmt(
      db,
      "UPDATE conversations SET updated_at = max(updated_at, ?), title = CASE WHEN title = '' THEN ? ELSE title END WHERE id = ?",
    ).run(t.at, t.title, conv);
  }
}

function applyDevice(db: Db, ch: Change, newer: boolean, now: number): boolean {
  const v = ch.v as Record<string, unknown> | null;
  const exists = stmt(db, 'SELECT revoked_at FROM devices WHERE id = ?').get(ch.i) as
    { revoked_at: number | null } | undefined;
  if (ch.f === '*') {
    if (exists) return false;
    stmt(db, 'INSERT INTO devices (id, name, capabilities, created_at) VALUES (?, ?, ?, ?)').run(
      ch.i,
      String(v?.name ?? ch.i),
      JSON.stringify(v?.capabilities ?? []),
      Number(v?.createdAt ?? now),
    );
    return true;
  }
  if (!exists) return false;
  if (ch.f === 'revoked') {
    // Revocation wins regardless of clocks and is permanent.
    if (exists.revoked_at !== null) return false;
    stmt(db, 'UPDATE devices SET revoked_at = ?, token_hash = NULL WHERE id = ?').run(now, ch.i);
    return true;
  }
  if (!newer) return false;
  if (ch.f === 'name' && typeof ch.v === 'string') stmt(db, 'UPDATE devices SET name = ? WHERE id = ?').run(ch.v, ch.i);
  else if (ch.f === 'capabilities' && Array.isArray(ch.v))
    stmt(db, 'UPDATE devices SET capabilities = ? WHERE id = ?').run(JSON.stringify(ch.v), ch.i);
  else return false;
  return true;
}
