import { afterEach, describe, expect, it } from 'vitest';
import { tempDb } from '../../testing/temp-home.js';
import { localWriteCounter, openDatabase, type Db } from './db.js';

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
