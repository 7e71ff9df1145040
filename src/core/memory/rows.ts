/** The memories table as Memory records, and id lookup (exact or a unique prefix of at least 6 characters). */
import { notFound, usageError } from '../errors.js';
import type { Db } from '../store/db.js';
import type { Memory, MemoryKind, MemoryRevision, MemoryRow } from './types.js';
import { act } from '../hints.js';
import { onFirstUse } from '../store/on-first-use.js';

/** A memories row (types.ts: the public API names it, and must not reach better-sqlite3's types through this module). */
export type { MemoryRow } from './types.js';

export const MIN_PREFIX = 6;

export function toMemory(r: MemoryRow): Memory {
  return {
    id: r.id,
    text: r.text,
    kind: r.kind,
    actor: r.actor,
    source: JSON.parse(r.source) as Memory['source'],
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    salience: r.salience,
    pinned: r.pinned === 1,
    status: r.status,
    mergedInto: r.merged_into,
    revision: r.revision,
    embedder: r.embedder,
    recallCount: r.recall_count,
    lastRecalledAt: r.last_recalled_at,
  };
}

export function toRevision(r: {
  memory_id: string;
  revision: number;
  text: string;
  kind: MemoryKind;
  salience: number;
  pinned: number;
  changed_at: number;
  reason: string;
}): MemoryRevision {
  return {
    memoryId: r.memory_id,
    revision: r.revision,
    text: r.text,
    kind: r.kind,
    salience: r.salience,
    pinned: r.pinned === 1,
    changedAt: r.changed_at,
    reason: r.reason,
  };
}

const COLUMNS =
  `id label text kind actor source created_at updated_at salience pinned status merged_into revision embedder
  text_hash vector recall_count last_recalled_at change_seq context context_id`.split(/\s+/);

/**
 * A MemoryRow's columns (of the table aliased `alias`, if given) with the vector as NULL: where the vector is not
 * needed or already known, it is the bulk of the row.
 */
export const columnsWithoutVector = (alias = ''): string =>
  COLUMNS.map((c) => (c === 'vector' ? 'NULL AS vector' : `${alias}${c}`)).join(', ');

export function memoryRows(db: Db) {
  // Prepared on first use (on-first-use.ts): a command runs one or two of them.
  const st = onFirstUse({
    byId: () => db.prepare('SELECT * FROM memories WHERE id = ?'),
    byIds: () =>
      db.prepare(`SELECT ${columnsWithoutVector()} FROM memories WHERE id IN (SELECT value FROM json_each(?))`),
    byPrefix: () => db.prepare('SELECT * FROM memories WHERE id >= ? AND id < ? ORDER BY id LIMIT 2'),
  });
  return {
    find(id: string): MemoryRow | undefined {
      return st.byId.get(id) as MemoryRow | undefined;
    },
    /** Rows by id in one query (vector left out). */
    many(ids: string[]): Map<string, MemoryRow> {
      return new Map((st.byIds.all(JSON.stringify(ids)) as MemoryRow[]).map((r) => [r.id, r]));
    },
    /** Throws NOT_FOUND for unknown ids and USAGE for an ambiguous prefix. */
    resolve(idOrPrefix: string): MemoryRow {
      const key = idOrPrefix.trim().toUpperCase();
      const exact = st.byId.get(key) as MemoryRow | undefined;
      if (exact) return exact;
      if (key.length < MIN_PREFIX)
        throw notFound('memory', idOrPrefix, {
          text: `give the full id or at least ${MIN_PREFIX} characters of it`,
          actions: [act('memory.list')],
        });
      // Upper bound of the prefix range: the prefix followed by the highest character, so `id < hi` ends the range.
      const rows = st.byPrefix.all(key, `${key}\uffff`) as MemoryRow[];
      if (rows.length === 0)
        throw notFound('memory', idOrPrefix, {
          text: 'list the memory ids',
          actions: [act('memory.list', { status: 'all' })],
        });
      if (rows.length > 1)
        throw usageError(`the id prefix ${idOrPrefix} matches more than one memory`, 'give more characters of the id');
      return rows[0] as MemoryRow;
    },
  };
}
