import { afterEach, describe, expect, it } from 'vitest';
import { tempDb } from '../../testing/temp-home.js';
import { getMeta, localWriteCounter, openDatabase, setMeta, stmt, type Db } from './db.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

describe('localWriteCounter', () => {
  it('moves with this connection’s writes and not with another connection’s', () => {
    const home = tempDb();
    const other: Db = openDatabase(home.paths.db);
    cleanups.push(() => other.close(), home.cleanup);
    const a = home.db;
    a.exec('CREATE TABLE t (x INTEGER)');
    const writes = localWriteCounter(a);
    const start = writes();
    other.prepare('INSERT INTO t VALUES (1)').run();
    expect(writes()).toBe(start);
    a.prepare('INSERT INTO t VALUES (2), (3)').run();
    expect(writes()).toBe(start + 2);
  });
});

describe('stmt', () => {
  it('prepares once per connection, and a caller’s .pluck() does not leak to the next caller of the same SQL', () => {
    const home = tempDb();
    cleanups.push(home.cleanup);
    const db = home.db;
    setMeta(db, 'k', 'v');
    const sql = 'SELECT value FROM meta WHERE key = ?';
    expect(stmt(db, sql)).toBe(stmt(db, sql));
    expect(stmt(db, sql).pluck().get('k')).toBe('v');
    expect(getMeta(db, 'k')).toBe('v');
    expect(stmt(db, sql).get('k')).toEqual({ value: 'v' });
  });
});
