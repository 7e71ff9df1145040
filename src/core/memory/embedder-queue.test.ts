import { describe, expect, it } from 'vitest';
import { createEmbedQueue, evenBatch, type Job } from './embedder-queue.js';

const job = (n: number, batch = 16): Job => ({
  texts: Array.from({ length: n }, (_, i) => `text ${i}`),
  offset: 0,
  out: [],
  done: 0,
  cancelled: false,
  batch,
  resolve: () => undefined,
  reject: () => undefined,
});

describe('embedder queue', () => {
  it('cuts bulk work into batches that two workers finish together', () => {
    expect(evenBatch(50, 16, 2)).toBe(13); // 13 + 13 + 13 + 11, not 16 + 16 + 16 + 2
    expect(evenBatch(64, 16, 2)).toBe(16);
    expect(evenBatch(20, 16, 2)).toBe(10);
    expect(evenBatch(5, 16, 2)).toBe(3);
    expect(evenBatch(2048, 16, 2)).toBe(16);
    expect(evenBatch(50, 16, 1)).toBe(13);
  });

  it('takes a bulk job in its own batch size, quick jobs together and first', () => {
    const q = createEmbedQueue();
    q.add(job(50, evenBatch(50, 16, 2)));
    q.add(job(1));
    q.add(job(2));
    expect(q.queued()).toBe(53);
    expect(q.take(16).texts).toHaveLength(3); // both quick jobs in one batch, ahead of the bulk one queued before
    const sizes: number[] = [];
    for (let b = q.take(16); b.texts.length; b = q.take(16)) sizes.push(b.texts.length);
    expect(sizes).toEqual([13, 13, 13, 11]);
    expect(q.queued()).toBe(0);
  });
});
