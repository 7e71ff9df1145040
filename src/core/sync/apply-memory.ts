/**
 * Memory conflict rules: add-wins set by id, last writer wins per field, forget wins and purges content. A synced
 * record carries no vector: the receiving device embeds it with its own embedder (vector NULL marks it unindexed).
 */
import { type Db, stmt } from '../store/db.js';
import { textHash } from '../memory/vectors.js';
import type { Change } from './changes.js';

const FIELDS: Record<string, string> = {
  text: 'text',
  kind: 'kind',
  actor: 'actor',
  salience: 'salience',
  pinned: 'pinned',
  status: 'status',
  mergedInto: 'merged_into',
  source: 'source',
};

const hashText = textHash;
const REVISED = new Set(['text', 'kind', 'salience', 'pinned']);
/** Marks a row the local embedder must (re-)embed: no embedder id ever equals it. */
export const UNEMBEDDED = '';

function column(field: string, v: unknown): unknown {
  if (field === 'pinned') return v ? 1 : 0;
  if (field === 'source') return JSON.stringify(v ?? {});
  if (field === 'salience') return typeof v === 'number' && Number.isFinite(v) ? Math.min(1, Math.max(0, v)) : 0.5;
  return v === undefined ? null : v;
}

type Clocks = { clockOf(c: string, id: string, f: string): string; setClock(id: string, f: string, h: string): void };

// The same counters the memory writer uses, so the vector index's catch-up (by change_seq) sees synced rows.
const counter = (db: Db, key: string): number =>
  Number(
    stmt(
      db,
      `INSERT INTO meta (key, value) VALUES (?, '1') ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1 RETURNING value`,
    )
      .pluck()
      .get(key),
  );
const nextChange = (db: Db): number => counter(db, 'memory_seq');
const statusOf = (db: Db, id: string): string | undefined =>
  stmt(db, 'SELECT status FROM memories WHERE id = ?').pluck().get(id) as string | undefined;

/** Forgotten here, or forgotten elsewhere before the record arrived (a forget clock without a row). */
function forgotten(db: Db, id: string): boolean {
  const clock = stmt(db, "SELECT 1 FROM sync_clocks WHERE coll = 'memory' AND rec_id = ? AND field = 'forget'").pluck();
  return clock.get(id) !== undefined || statusOf(db, id) === 'forgotten';
}

function purge(db: Db, id: string): void {
  stmt(db, 'DELETE FROM memory_revisions WHERE memory_id = ?').run(id);
  stmt(
    db,
    "UPDATE memories SET status = 'forgotten', text = '', vector = NULL, text_hash = '', context = '', context_id = NULL, change_seq = ? WHERE id = ?",
  ).run(nextChange(db), id);
  // The memory after it was indexed with its words (docs/memory-recall.md): purged too, and marked for
  // re-embedding, which gives it its new context.
  for (const next of stmt(db, 'SELECT id FROM memories WHERE context_id = ?').pluck().all(id) as string[])
    stmt(
      db,
      "UPDATE memories SET context = '', context_id = NULL, vector = NULL, embedder = ?, change_seq = ? WHERE id = ?",
    ).run(UNEMBEDDED, nextChange(db), next);
}

/** A record new here: inserted unembedded (this device embeds it with its own embedder), as revision 1. */
function insertSynced(db: Db, id: string, v: Record<string, unknown>, now: number): void {
  const text = String(v.text ?? '');
  stmt(
    db,
    `INSERT INTO memories (id, label, text, kind, actor, source, created_at, updated_at, salience, pinned, status, merged_into,
       revision, embedder, text_hash, vector, change_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, NULL, ?)`,
  ).run(
    id,
    counter(db, 'memory_label'),
    text,
    String(v.kind ?? 'fact'),
    String(v.actor ?? 'creator'),
    JSON.stringify(v.source ?? {}),
    Number(v.createdAt ?? now),
    Number(v.updatedAt ?? v.createdAt ?? now),
    column('salience', v.salience),
    column('pinned', v.pinned),
    String(v.status ?? 'active'),
    v.mergedInto ?? null,
    UNEMBEDDED,
    hashText(text),
    nextChange(db),
  );
}

/** Field writes that arrived before their record (out of causal order): taken out, to apply by their own clocks. */
function takeOrphans(db: Db, id: string): { field: string; value: unknown; hlc: string }[] {
  const rows = stmt(
    db,
    "SELECT field, value, hlc FROM sync_orphans WHERE coll = 'memory' AND rec_id = ? ORDER BY hlc",
  ).all(id) as { field: string; value: string | null; hlc: string }[];
  stmt(db, "DELETE FROM sync_orphans WHERE coll = 'memory' AND rec_id = ?").run(id);
  return rows.map((o) => ({
    field: o.field,
    value: o.value === null ? null : (JSON.parse(o.value) as unknown),
    hlc: o.hlc,
  }));
}

/** One field by last writer wins; kept as an orphan when its record has not arrived, ignored once it is forgotten. */
function applyField(db: Db, clocks: Clocks, id: string, field: string, v: unknown, h: string): boolean {
  if (statusOf(db, id) === undefined && !forgotten(db, id)) {
    stmt(
      db,
      `INSERT INTO sync_orphans (coll, rec_id, field, value, hlc) VALUES ('memory', ?, ?, ?, ?)
       ON CONFLICT(coll, rec_id, field) DO UPDATE SET value = excluded.value, hlc = excluded.hlc WHERE excluded.hlc > sync_orphans.hlc`,
    ).run(id, field, JSON.stringify(v ?? null), h);
    return false;
  }
  if (forgotten(db, id)) return false;
  if (h <= clocks.clockOf('memory', id, field)) return false;
  const col = FIELDS[field] as string;
  if (REVISED.has(field)) {
    // Edits keep history (docs/domain.md): the replaced version becomes a revision, as a local edit would.
    stmt(
      db,
      `INSERT OR REPLACE INTO memory_revisions (memory_id, revision, text, kind, salience, pinned, changed_at, reason)
      SELECT id, revision, text, kind, salience, pinned, ?, 'synced from another device' FROM memories WHERE id = ?`,
    ).run(parseInt(h.slice(0, 12), 16) || 0, id);
    stmt(db, 'UPDATE memories SET revision = revision + 1 WHERE id = ?').run(id);
  }
  stmt(db, `UPDATE memories SET ${col} = ?, updated_at = max(updated_at, ?), change_seq = ? WHERE id = ?`).run(
    column(field, v),
    Number(h.length ? parseInt(h.slice(0, 12), 16) : 0),
    nextChange(db),
    id,
  );
  if (field === 'text')
    stmt(db, 'UPDATE memories SET text_hash = ?, vector = NULL, embedder = ? WHERE id = ?').run(
      hashText(String(v ?? '')),
      UNEMBEDDED,
      id,
    );
  clocks.setClock(id, field, h);
  return true;
}

export function createMemoryApplier(db: Db, clocks: Clocks): (ch: Change, now: number) => boolean {
  return (ch, now) => {
    const isForget = ch.f === 'forget' || (ch.f === 'status' && ch.v === 'forgotten');
    if (isForget) {
      // Forget wins over any concurrent or later edit, and is never undone by sync.
      clocks.setClock(ch.i, 'forget', ch.h);
      if (statusOf(db, ch.i) === undefined) return true; // remembered as a tombstone; a late add stays forgotten
      if (statusOf(db, ch.i) === 'forgotten') return false;
      purge(db, ch.i);
      return true;
    }
    if (ch.f === '*') {
      const v = (ch.v ?? {}) as Record<string, unknown>;
      if (statusOf(db, ch.i) === undefined) {
        insertSynced(db, ch.i, v, now);
        clocks.setClock(ch.i, '*', ch.h);
        if (forgotten(db, ch.i)) purge(db, ch.i);
        for (const o of takeOrphans(db, ch.i)) applyField(db, clocks, ch.i, o.field, o.value, o.hlc);
        return true;
      }
      // Add-wins: a second add of the same id acts as per-field writes.
      let any = false;
      for (const [k, val] of Object.entries(v))
        if (k in FIELDS && applyField(db, clocks, ch.i, k, val, ch.h)) any = true;
      return any;
    }
    if (!(ch.f in FIELDS)) return false;
    return applyField(db, clocks, ch.i, ch.f, ch.v, ch.h);
  };
}
