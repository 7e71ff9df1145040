import { describe, expect, it } from 'vitest';
import { randomBytes } from './lazy-builtins.js';

describe('randomBytes without node:crypto', () => {
  it('hands out each pooled byte once, across refills, at the length asked', () => {
    // 10-byte draws (a ULID's) across ten 1 KiB pools: 1,000 draws, none repeated.
    const seen = new Set<string>();
    for (let i = 0; i < 1_000; i++) {
      const b = randomBytes(10);
      expect(b.length).toBe(10);
      seen.add(b.toString('hex'));
    }
    expect(seen.size).toBe(1_000);
  });

  it('is not all zeros and serves a request larger than its pool', () => {
    expect(randomBytes(2_048).length).toBe(2_048);
    expect(randomBytes(64).some((x) => x !== 0)).toBe(true);
  });
});
