import { describe, expect, it } from 'vitest';
import { openDatabase } from './db.js';
import { onFirstUse } from './on-first-use.js';

describe('onFirstUse', () => {
  it('makes each property on its first read only, then keeps the value', () => {
    const made: string[] = [];
    const o = onFirstUse({
      a: () => (made.push('a'), { n: 1 }),
      b: () => (made.push('b'), 2),
    });
    expect(made).toEqual([]);
    const first = o.a;
    expect(o.a).toBe(first);
    expect(made).toEqual(['a']);
    expect(o.b).toBe(2);
    expect(made).toEqual(['a', 'b']);
    expect(Object.keys(o)).toEqual(['a', 'b']);
  });

  it('prepares a statement when it is first run: a bad one fails there, not when the object is made', () => {
    const db = openDatabase(':memory:');
    const st = onFirstUse({
      one: () => db.prepare('SELECT 1').pluck(),
      bad: () => db.prepare('SELECT * FROM no_such_table'),
    });
    expect(st.one.get()).toBe(1);
    expect(() => st.bad.all()).toThrow(/no such table/);
    db.close();
  });
});
