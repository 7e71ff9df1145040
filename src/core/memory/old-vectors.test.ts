import { afterEach, describe, expect, it } from 'vitest';
import { memoryFixture, type MemoryFixture } from '../../testing/memory-fixture.js';
import { embedBuiltin } from './embedder-builtin.js';
import { hashEmbedderFor, type OldEmbedderFor } from './old-vectors.js';
import type { Embedder } from './types.js';
import { dot } from './vectors.js';

let fx: MemoryFixture;
afterEach(() => fx.cleanup());

/** A model-like embedder (not cheap: nothing is re-embedded at open) of another dimension than the hash one. */
const model = (): Embedder => ({
  id: 'test-model/16',
  dimensions: 16,
  embed: (texts) => Promise.resolve(texts.map((t) => embedBuiltin(t, 16))),
});

/** Counts the query embeddings each former embedder is asked for. */
function counting(inner: OldEmbedderFor): { of: OldEmbedderFor; calls: () => number } {
  let calls = 0;
  return {
    calls: () => calls,
    of: (id) => {
      const e = inner(id);
      return e && { ...e, embed: (t, s) => (calls++, e.embed(t, s)) };
    },
  };
}

const CELLO = 'I practise the cello every evening';

async function homeMadeByHash(): Promise<MemoryFixture> {
  const f = await memoryFixture();
  await f.memory.add([
    { text: CELLO },
    { text: 'The train to Lyon leaves at noon' },
    { text: 'tomatoes from the market' },
  ]);
  return f;
}

describe('recall during an embedder switch: the old-vector channel', () => {
  it('finds a memory not yet re-embedded by its old vector, though it shares no word with the query', async () => {
    fx = await homeMadeByHash();
    await fx.reopen({ embedder: model() });
    expect(fx.memory.pendingVectors().stale).toBe(3);
    // "cellist" is not a word of any memory (no full-text hit) and no memory has a vector of the new embedder yet.
    const [top, ...rest] = await fx.memory.recall({ text: 'my cellist', k: 3, peek: true });
    expect(top?.memory.text).toBe(CELLO);
    // Scored by the hash embedder's cosine of the query to its own vector, never by the new embedder's.
    expect(top?.score.oldCosine).toBeCloseTo(dot(embedBuiltin('my cellist'), embedBuiltin(CELLO)), 5);
    expect(top?.memory.embedder).toBe('builtin-hash-v2/384');
    for (const r of rest) expect(r.score.oldCosine!).toBeLessThan(top!.score.oldCosine!);
  });

  it('with the vectors alone (memory.recall.lexicalWeight 0), the old vectors rank the memories not re-embedded', async () => {
    fx = await memoryFixture({ 'memory.recall.lexicalWeight': 0 });
    await fx.memory.add([{ text: 'The train to Lyon leaves at noon' }, { text: CELLO }]);
    await fx.reopen({ embedder: model() });
    const r = await fx.memory.recall({ text: 'my cellist', k: 2, peek: true });
    expect(r.map((x) => x.memory.text)).toEqual([CELLO, 'The train to Lyon leaves at noon']);
    expect(r[0]!.score.similarity).toBeGreaterThan(r[1]!.score.similarity);
  });

  it('leaves a re-embedded memory to the current vectors, and disappears once nothing is stale', async () => {
    fx = await homeMadeByHash();
    const old = counting(hashEmbedderFor);
    await fx.reopen({ embedder: model(), oldEmbedder: old.of });
    await fx.memory.recall({ text: 'my cellist', k: 3, peek: true });
    expect(old.calls()).toBe(1);
    await fx.memory.reindex({ staleOnly: true });
    const after = await fx.memory.recall({ text: 'the cello', k: 3, peek: true });
    expect(old.calls()).toBe(1);
    expect(after.map((r) => r.score.oldCosine)).toEqual([undefined, undefined, undefined]);
    expect(after[0]?.memory.embedder).toBe('test-model/16');
  });

  it('skips a former embedder that does not answer (a provider that is down): recall goes on without it', async () => {
    // A home embedded by a provider's model, now on another embedder; the provider's server never answers.
    const provider: Embedder = {
      id: 'ollama:nomic-embed-text',
      dimensions: 8,
      cheap: true,
      embed: (texts) => Promise.resolve(texts.map((t) => embedBuiltin(t, 8))),
    };
    fx = await memoryFixture({}, provider);
    await fx.memory.add([{ text: CELLO }, { text: 'The train to Lyon leaves at noon' }]);
    const hanging = counting((id) =>
      id === provider.id ? { ...provider, embed: () => new Promise<Float32Array[]>(() => undefined) } : null,
    );
    await fx.reopen({ embedder: model(), oldEmbedder: hanging.of });
    // The words still find it; the old vectors are given up on after a bound, then not asked again for a while.
    const first = await fx.memory.recall({ text: 'the train to Lyon', k: 2, peek: true });
    expect(first[0]?.memory.text).toMatch(/Lyon/);
    expect(first[0]?.score.oldCosine).toBeUndefined();
    await fx.memory.recall({ text: 'the cello', k: 2, peek: true });
    expect(hanging.calls()).toBe(1);
  });

  it('searches a provider model it can reach with that model, and a former hash embedder of any dimension', async () => {
    expect(hashEmbedderFor('builtin-hash-v2/256')?.dimensions).toBe(256);
    expect(hashEmbedderFor('builtin-hash-v1/384')).toBeNull();
    expect(hashEmbedderFor('ollama:nomic-embed-text')).toBeNull();
    fx = await memoryFixture(
      { 'memory.recall.lexicalWeight': 0 },
      {
        id: 'ollama:nomic-embed-text',
        dimensions: 8,
        cheap: true,
        embed: (texts) => Promise.resolve(texts.map((t) => embedBuiltin(t, 8))),
      },
    );
    await fx.memory.add([{ text: CELLO }, { text: 'The train to Lyon leaves at noon' }]);
    await fx.reopen({ embedder: model() });
    // Without a way to run that model (no provider configured), its vectors are not searched: vectors alone find nothing.
    expect(await fx.memory.recall({ text: 'the train to Lyon', k: 2, peek: true })).toEqual([]);
  });
});
