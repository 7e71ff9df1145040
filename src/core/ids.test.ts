import { describe, expect, it } from 'vitest';
import { createUlidFactory, ulidTime } from './ids.js';
import { memoryFixture, T0 } from '../testing/memory-fixture.js';

describe('ULID factory', () => {
  it('stamps an id asked for an earlier time with that time', () => {
    const ids = createUlidFactory();
    expect(ulidTime(ids(T0 + 5_000))).toBe(T0 + 5_000);
    expect(ulidTime(ids(T0))).toBe(T0);
    expect(ulidTime(ids(T0 + 5_000))).toBe(T0 + 5_000);
  });

  it('is monotonic within a millisecond, and each factory keeps its own state', () => {
    const a = createUlidFactory();
    const b = createUlidFactory();
    const first = a(T0);
    const second = a(T0);
    expect(second > first).toBe(true);
    expect(second.slice(0, 10)).toBe(first.slice(0, 10));
    a(T0 + 60_000);
    expect(ulidTime(b(T0 + 1))).toBe(T0 + 1);
  });

  it('gives memories stored with an earlier creation time ids that carry it', async () => {
    const fx = await memoryFixture();
    try {
      fx.clock.advance(3_600_000);
      const [now] = await fx.memory.add([{ text: 'said just now' }]);
      const [old] = await fx.memory.add([{ text: 'said long ago', createdAt: T0 - 86_400_000 }]);
      expect(ulidTime(now!.id)).toBe(T0 + 3_600_000);
      expect(ulidTime(old!.id)).toBe(T0 - 86_400_000);
    } finally {
      await fx.cleanup();
    }
  });
});
