/** Paged listing with an opaque keyset cursor over (created_at, id), so pages stay stable while memories arrive. */
import { usageError } from '../errors.js';
import type { Db } from '../store/db.js';
import type { ListQuery, Page } from './api.js';
import { toMemory, type MemoryRow } from './rows.js';
import type { Memory } from './types.js';

export function encodeCursor(createdAt: number, id: string): string {
  return Buffer.from(`${createdAt}:${id}`).toString('base64url');
}

export function decodeCursor(cursor: string): { createdAt: number; id: string } {
  const [t, id] = Buffer.from(cursor, 'base64url').toString().split(':');
  if (!t || !id || !/^\d+$/.test(t))
    throw usageError('invalid --cursor', 'use the cursor printed by the previous page');
  return { createdAt: Number(t), id };
}

export function listMemories(db: Db, q: ListQuery): Page<Memory> {
  const limit = Math.max(1, Math.min(q.limit ?? 50, 1000));
  const desc = (q.order ?? 'desc') === 'desc';
  const where: string[] = [];
  const params: unknown[] = [];
  const status = q.status ?? 'active';
  const cond = (sql: string, value: unknown): void => {
    where.push(sql);
    params.push(value);
  };
  if (status !== 'all') cond('status = ?', status);
  if (q.actor) cond('actor = ?', q.actor);
  if (q.kind) cond('kind = ?', q.kind);
  if (q.cursor) {
    const c = decodeCursor(q.cursor);
    where.push(
      desc ? '(created_at < ? OR (created_at = ? AND id < ?))' : '(created_at > ? OR (created_at = ? AND id > ?))',
    );
    params.push(c.createdAt, c.createdAt, c.id);
  }
  const dir = desc ? 'DESC' : 'ASC';
  const sql = `SELECT * FROM memories ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at ${dir}, id ${dir} LIMIT ?`;
  const rows = db.prepare(sql).all(...params, limit + 1) as MemoryRow[];
  const more = rows.length > limit;
  const items = rows.slice(0, limit).map(toMemory);
  const last = items.at(-1);
  return { items, nextCursor: more && last ? encodeCursor(last.createdAt, last.id) : null };
}
