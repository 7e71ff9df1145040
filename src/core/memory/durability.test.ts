import { afterEach, describe, expect, it } from 'vitest';
import { memoryFixture, type MemoryFixture } from '../../testing/memory-fixture.js';
import { commitsWith } from '../../testing/sql-trace.js';
import { createBuiltinEmbedder } from './embedder-builtin.js';
import type { Embedder } from './types.js';

/** Not cheap, so its vectors are cached and made after the write, as the semantic model's are. */
function slowModel(): Embedder {
  const hash = createBuiltinEmbedder();
  return { id: 'fake-model/384', dimensions: 384, ready: true, embed: (texts) => hash.embed(texts) };
}

let fx: MemoryFixture;
afterEach(() => fx.cleanup());

describe('which memory writes are fsynced on their own (docs/performance.md, "Commits and fsync")', () => {
  it('the memory is written durably; its vector and the embedding cache entry are relaxed', async () => {
    const sql: string[] = [];
    fx = await memoryFixture({}, slowModel(), sql);
    await fx.memory.add([{ text: 'I adopted a kitten' }]);
    await fx.memory.embedPending();
    const inserts = commitsWith(sql, /^INSERT INTO memories\b/);
    const vectors = commitsWith(sql, /^UPDATE memories SET vector\b/);
    const cached = commitsWith(sql, /^INSERT OR REPLACE INTO embed_cache\b/);
    expect(inserts.map((c) => c.synchronous)).toEqual(['FULL']);
    expect(vectors.length).toBeGreaterThan(0);
    expect(vectors.map((c) => c.synchronous)).toEqual(vectors.map(() => 'NORMAL'));
    expect(cached.length).toBeGreaterThan(0);
    expect(cached.map((c) => c.synchronous)).toEqual(cached.map(() => 'NORMAL'));
    // Relaxed commits leave the connection as they found it: the next write is durable again.
    await fx.memory.add([{ text: 'My sister paints houses' }]);
    expect(commitsWith(sql, /^INSERT INTO memories\b/).map((c) => c.synchronous)).toEqual(['FULL', 'FULL']);
  });
});
