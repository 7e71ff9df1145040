/**
 * Every write to the memories table, each in one immediate transaction with its sync journal change (docs/sync.md:
 * memory is an add-wins set by id, last writer wins per field, forget wins and purges content).
 */
import type { Clock } from '../clock.js';
import { createUlidFactory, type UlidFactory } from '../ids.js';
import { immediate, nextCounter, relaxed, type Db } from '../store/db.js';
import type { Journal } from '../sync/journal.js';
import type { MemoryRow } from './rows.js';
import type { MemoryKind, MemorySource, MemoryStatus } from './types.js';
import { textHash, toBlob } from './vectors.js';
import { onFirstUse } from '../store/on-first-use.js';

export interface InsertItem {
  id?: string;
  text: string;
  kind: MemoryKind;
  actor: string;
  source: MemorySource;
  salience: number;
  pinned: boolean;
  createdAt?: number;
  status?: MemoryStatus;
  /** Null: the memory is embedded later, in the background (reembed.ts); it is findable by its words meanwhile. */
  vector: Float32Array | null;
  /** What it is indexed with besides its text (thread.ts); not synced: each device derives it. */
  context?: string;
  contextId?: string | null;
}

/** The embedder of a row that has no vector yet: no embedder id ever equals it (sync's apply-memory.ts uses it too). */
export const UNEMBEDDED = '';

export type RowPatch = Partial<
  Pick<
    MemoryRow,
    | 'text'
    | 'kind'
    | 'salience'
    | 'pinned'
    | 'status'
    | 'merged_into'
    | 'embedder'
    | 'text_hash'
    | 'vector'
    | 'context'
    | 'context_id'
  >
>;

/** Fields that travel through sync; the rest (vector, label, recall counters) are derived or local. */
const SYNCED: Record<string, string> = {
  text: 'text',
  kind: 'kind',
  salience: 'salience',
  pinned: 'pinned',
  status: 'status',
  merged_into: 'mergedInto',
};

/** The memories table's write statements, prepared once per writer. */
function writeStatements(db: Db) {
  // Prepared on first use: most commands never write (on-first-use.ts).
  return onFirstUse({
    insert: () =>
      db.prepare(`INSERT INTO memories (id, label, text, kind, actor, source, created_at, updated_at, salience, pinned, status,
    revision, embedder, text_hash, vector, change_seq, context, context_id) VALUES (@id, @label, @text, @kind, @actor, @source, @created_at,
    @created_at, @salience, @pinned, @status, 1, @embedder, @text_hash, @vector, @seq, @context, @context_id)`),
    update: () =>
      db.prepare(`UPDATE memories SET text = @text, kind = @kind, salience = @salience, pinned = @pinned, status = @status,
    merged_into = @merged_into, revision = @revision, embedder = @embedder, text_hash = @text_hash, vector = @vector,
    updated_at = @updated_at, change_seq = @change_seq, context = @context, context_id = @context_id WHERE id = @id`),
    recalled: () =>
      db.prepare('UPDATE memories SET recall_count = recall_count + 1, last_recalled_at = ? WHERE id = ?'),
    addRevision: () =>
      db.prepare(`INSERT OR REPLACE INTO memory_revisions (memory_id, revision, text, kind, salience, pinned, changed_at, reason)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
  });
}

interface WriterParts {
  db: Db;
  journal: Journal;
  clock: Clock;
  embedderId: () => string;
  ulid: UlidFactory;
  sql: ReturnType<typeof writeStatements>;
}

/** The row an InsertItem becomes, with its label and change_seq. */
function newRow(w: WriterParts, it: InsertItem, now: number, label: number, seq: number) {
  const createdAt = it.createdAt ?? now;
  return {
    id: it.id ?? w.ulid(createdAt),
    label,
    text: it.text,
    kind: it.kind,
    actor: it.actor,
    source: JSON.stringify(it.source),
    created_at: createdAt,
    salience: it.salience,
    pinned: it.pinned ? 1 : 0,
    status: it.status ?? 'active',
    embedder: it.vector ? w.embedderId() : UNEMBEDDED,
    text_hash: textHash(it.text),
    vector: it.vector ? toBlob(it.vector) : null,
    seq,
    context: it.context ?? '',
    context_id: it.contextId ?? null,
  };
}

/** Inserts new rows, each with its journal change; returns them as stored. Call inside a transaction. */
function insertRows(w: WriterParts, items: InsertItem[]): MemoryRow[] {
  const now = w.clock.now();
  const rows: MemoryRow[] = [];
  // One counter update per batch: labels and change_seqs are handed out as consecutive ranges.
  let label = nextCounter(w.db, 'memory_label', items.length) - items.length;
  let seq = nextCounter(w.db, 'memory_seq', items.length) - items.length;
  for (const it of items) {
    const row = newRow(w, it, now, ++label, ++seq);
    w.sql.insert.run(row);
    w.journal.recordChange('memory', row.id, '*', {
      text: it.text,
      kind: it.kind,
      actor: it.actor,
      source: it.source,
      createdAt: row.created_at,
      salience: it.salience,
      pinned: it.pinned,
      status: row.status,
      embedder: row.embedder,
      textHash: row.text_hash,
    });
    rows.push({
      ...row,
      updated_at: row.created_at,
      merged_into: null,
      revision: 1,
      recall_count: 0,
      last_recalled_at: null,
      change_seq: row.seq,
    });
  }
  return rows;
}

/**
 * Applies a patch to an existing row inside a transaction. A change of text, kind, salience or pinned keeps the
 * previous version in memory_revisions (with the reason it was replaced) and bumps the revision.
 */
function patchRow(w: WriterParts, before: MemoryRow, patch: RowPatch, reason: string | null): MemoryRow {
  const now = w.clock.now();
  const after: MemoryRow = { ...before, ...patch, updated_at: now, change_seq: nextCounter(w.db, 'memory_seq') };
  if (reason !== null) {
    w.sql.addRevision.run(
      before.id,
      before.revision,
      before.text,
      before.kind,
      before.salience,
      before.pinned,
      now,
      reason,
    );
    after.revision = before.revision + 1;
  }
  w.sql.update.run(after);
  for (const [col, field] of Object.entries(SYNCED)) {
    const a = after[col as keyof MemoryRow];
    if (a !== before[col as keyof MemoryRow])
      w.journal.recordChange('memory', before.id, field, col === 'pinned' ? a === 1 : a);
  }
  return after;
}

export function createWriter(
  db: Db,
  journal: Journal,
  clock: Clock,
  embedderId: () => string,
  ulid: UlidFactory = createUlidFactory(),
) {
  const w: WriterParts = { db, journal, clock, embedderId, ulid, sql: writeStatements(db) };
  const forgetRowIn = (before: MemoryRow): MemoryRow => {
    db.prepare('DELETE FROM memory_revisions WHERE memory_id = ?').run(before.id);
    const purged: RowPatch = { text: '', text_hash: '', vector: null, status: 'forgotten', merged_into: null };
    return patchRow(w, before, { ...purged, context: '', context_id: null }, null);
  };
  return {
    insert: (items: InsertItem[]): MemoryRow[] => immediate(db, () => insertRows(w, items)),
    /** insert inside the caller's transaction. */
    insertRows: (items: InsertItem[]): MemoryRow[] => insertRows(w, items),
    patchRow: (before: MemoryRow, patch: RowPatch, reason: string | null): MemoryRow =>
      patchRow(w, before, patch, reason),
    patch: (before: MemoryRow, patch: RowPatch, reason: string | null): MemoryRow =>
      immediate(db, () => patchRow(w, before, patch, reason)),
    /** Forget: tombstone, purge the text, the vector, the context and every earlier revision's text. */
    forgetRow: (before: MemoryRow): MemoryRow => immediate(db, () => forgetRowIn(before)),
    /** forgetRow inside the caller's transaction (import). */
    forgetRowIn,
    noteRecalled(ids: string[]): void {
      if (!ids.length) return;
      const now = clock.now();
      // Local usage statistics only (they feed dream's fading), so they neither bump change_seq nor sync, and they
      // commit without their own fsync: a power cut may lose the last few counts, never a memory.
      relaxed(db, () => ids.forEach((id) => w.sql.recalled.run(now, id)));
    },
  };
}

export type Writer = ReturnType<typeof createWriter>;
