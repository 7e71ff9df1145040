/** Hybrid logical clock: byte order is clock order, monotonic across wall-clock jumps, receive merges. */
import { describe, expect, it } from 'vitest';
import { compareHlc, decodeHlc, encodeHlc, MAX_COUNTER, receiveHlc, tickHlc } from './hlc.js';

describe('hybrid logical clock', () => {
  it('encodes so that string order is (ms, counter, device) order', () => {
    const a = encodeHlc({ ms: 1000, counter: 5, device: 'b' });
    const b = encodeHlc({ ms: 1000, counter: 6, device: 'a' });
    const c = encodeHlc({ ms: 1001, counter: 0, device: 'a' });
    expect([c, a, b].sort()).toEqual([a, b, c]);
    expect(compareHlc(a, b)).toBe(-1);
    expect(decodeHlc(a)).toEqual({ ms: 1000, counter: 5, device: 'b' });
    expect(() => decodeHlc('nope')).toThrow(/malformed/);
  });

  it('stays monotonic when the wall clock goes backwards, and rolls the counter over', () => {
    let h = tickHlc(undefined, 10_000, 'd');
    const seen = [encodeHlc(h)];
    for (const now of [9_000, 9_500, 10_000, 5]) {
      h = tickHlc(h, now, 'd');
      seen.push(encodeHlc(h));
    }
    expect([...seen].sort()).toEqual(seen);
    expect(new Set(seen).size).toBe(seen.length);
    expect(tickHlc({ ms: 7, counter: MAX_COUNTER, device: 'd' }, 7, 'd')).toEqual({ ms: 8, counter: 0, device: 'd' });
  });

  it('after receiving a remote clock, the next local tick is later than both', () => {
    const local = { ms: 100, counter: 3, device: 'a' };
    const remote = { ms: 200, counter: 9, device: 'b' };
    const merged = receiveHlc(local, remote, 50, 'a');
    expect(merged).toEqual({ ms: 200, counter: 10, device: 'a' });
    const next = encodeHlc(tickHlc(merged, 60, 'a'));
    expect(next > encodeHlc(remote)).toBe(true);
    expect(next > encodeHlc(local)).toBe(true);
  });
});
