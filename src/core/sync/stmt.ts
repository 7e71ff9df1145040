/** Prepared statements cached per connection: applying a large pull runs the same few statements many thousand times. */
import type { Statement } from 'better-sqlite3';
import type { Db } from '../store/db.js';

const cache = new WeakMap<Db, Map<string, Statement>>();

export function stmt(db: Db, sql: string): Statement {
  let m = cache.get(db);
  if (!m) cache.set(db, (m = new Map()));
  let s = m.get(sql);
  if (!s) m.set(sql, (s = db.prepare(sql)));
  return s;
}
