import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { textHash } from './vectors.js';

describe('textHash', () => {
  it('is the first 32 hex digits of SHA-256, in JavaScript for the first texts and by node:crypto after', () => {
    // 200 texts: past the texts hashed in JavaScript, so both paths are compared with node:crypto.
    for (let i = 0; i < 200; i++) {
      const text = `memory ${i}: Rosa a lu « Les Misérables » 🌹 ${'x'.repeat(i)}`;
      expect(textHash(text)).toBe(createHash('sha256').update(text).digest('hex').slice(0, 32));
    }
  });
});
