import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { dot, dots, textHash, useNativeDots } from './vectors.js';

describe('textHash', () => {
  it('is the first 32 hex digits of SHA-256, in JavaScript for the first texts and by node:crypto after', () => {
    // 200 texts: past the texts hashed in JavaScript, so both paths are compared with node:crypto.
    for (let i = 0; i < 200; i++) {
      const text = `memory ${i}: Rosa a lu « Les Misérables » 🌹 ${'x'.repeat(i)}`;
      expect(textHash(text)).toBe(createHash('sha256').update(text).digest('hex').slice(0, 32));
    }
  });
});

describe('dots', () => {
  afterEach(() => useNativeDots(undefined));
  const v = (...xs: number[]) => new Float32Array(xs);

  it('is dot() of each vector with the query, over the shorter length, in JavaScript when nothing native is loaded', () => {
    const q = v(0.5, -1, 2);
    const vectors = [v(1, 2, 3), v(4), new Float32Array(0), v(0.25, 0.5, 0.75, 9)];
    expect([...dots(q, vectors)]).toEqual(vectors.map((x) => dot(q, x)));
    expect([...dots(q, vectors)]).toEqual([4.5, 2, 0, 1.125]);
    expect(dots(q, [])).toEqual(new Float64Array(0));
  });

  it('runs the native kernel once one is loaded, and JavaScript again without it', () => {
    const calls: number[] = [];
    useNativeDots((q, vectors) => {
      calls.push(vectors.length);
      return Float64Array.from(vectors, (x) => dot(q, x));
    });
    expect([...dots(v(1, 1), [v(2, 3), v(1, 0)])]).toEqual([5, 1]);
    expect(calls).toEqual([2]);
    useNativeDots(undefined);
    expect([...dots(v(1, 1), [v(2, 3)])]).toEqual([5]);
    expect(calls).toEqual([2]);
  });
});
