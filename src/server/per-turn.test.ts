import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { perTurn } from './per-turn.js';

describe('perTurn', () => {
  it('computes once per event-loop turn and afresh in the next turn', async () => {
    let n = 0;
    const v = perTurn(() => ++n);
    expect([v(), v(), v()]).toEqual([1, 1, 1]);
    await Promise.resolve(); // a microtask is still the same turn
    expect(v()).toBe(1);
    await nextTurn();
    expect(v()).toBe(2);
    await nextTurn();
    expect(v()).toBe(3);
  });

  it('computes again within the turn when the stamp changes (a write made by this process)', () => {
    let n = 0;
    let writes = 0;
    const v = perTurn(
      () => ++n,
      () => writes,
    );
    expect([v(), v()]).toEqual([1, 1]);
    writes++;
    expect([v(), v()]).toEqual([2, 2]);
  });

  it('holds nothing when compute throws', () => {
    let fail = true;
    const v = perTurn(() => {
      if (fail) throw new Error('boom');
      return 'ok';
    });
    expect(() => v()).toThrow('boom');
    fail = false;
    expect(v()).toBe('ok');
  });
});
