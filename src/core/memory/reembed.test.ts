import { afterEach, describe, expect, it, vi } from 'vitest';
import { memoryFixture, type MemoryFixture } from '../../testing/memory-fixture.js';
import { createBuiltinEmbedder } from './embedder-builtin.js';
import type { Embedder } from './types.js';

/** A stand-in for the semantic model: not cheap (vectors are made after the write), loaded at its first use. */
function fakeModel(): { embedder: Embedder; texts: string[]; load(): void } {
  const hash = createBuiltinEmbedder();
  const texts: string[] = [];
  let loaded = false;
  return {
    texts,
    load: () => void (loaded = true),
    embedder: {
      id: 'fake-model/384',
      dimensions: 384,
      get ready() {
        return loaded;
      },
      async embed(batch) {
        loaded = true;
        texts.push(...batch);
        return hash.embed(batch);
      },
    },
  };
}

let fx: MemoryFixture;
afterEach(() => fx.cleanup());

describe('vectors made after the write (docs/embeddings.md, "When vectors are made")', () => {
  it('a one-shot add never loads the model: not at the write, not in the background, not at close', async () => {
    const model = fakeModel();
    fx = await memoryFixture({}, model.embedder);
    await fx.memory.add([{ text: 'I adopted a kitten' }]);
    expect(fx.memory.pendingVectors().new).toBe(1);
    await new Promise((r) => setTimeout(r, 20));
    await fx.reopen();
    expect(model.texts).toEqual([]);
    expect(fx.memory.pendingVectors().new).toBe(1);
  });

  it('the next search catches up the few memories left without a vector, then finds them by meaning too', async () => {
    const model = fakeModel();
    fx = await memoryFixture({}, model.embedder);
    const [m] = await fx.memory.add([{ text: 'I adopted a kitten' }]);
    const hits = await fx.memory.recall({ text: 'kitten', k: 3, actor: 'creator', peek: true });
    expect(model.texts).toContain('I adopted a kitten');
    expect(fx.memory.pendingVectors().new).toBe(0);
    expect(fx.memory.get(m!.id).embedder).toBe('fake-model/384');
    expect(hits.map((h) => h.memory.id)).toContain(m!.id);
  });

  it('a process with the model loaded leaves no memory without a vector at close', async () => {
    const model = fakeModel();
    fx = await memoryFixture({}, model.embedder);
    await fx.memory.add([{ text: 'I adopted a kitten' }]);
    model.load();
    await fx.reopen();
    expect(model.texts).toEqual(['I adopted a kitten']);
    expect(fx.memory.pendingVectors().new).toBe(0);
  });

  it('synced arrivals wait for the background with the model; a long-lived process embeds them there', async () => {
    const model = fakeModel();
    fx = await memoryFixture({}, model.embedder);
    await fx.memory.add([{ text: 'I adopted a kitten' }, { text: 'The train leaves at noon' }]);
    await fx.memory.embedArrived();
    expect(model.texts).toEqual([]);
    fx.memory.reembedInBackground();
    await vi.waitFor(() => expect(fx.memory.pendingVectors().new).toBe(0));
    expect(model.texts.sort()).toEqual(['I adopted a kitten', 'The train leaves at noon']);
  });

  it('with the hash embedder, arrivals are embedded at once', async () => {
    fx = await memoryFixture();
    const [m] = await fx.memory.add([{ text: 'I adopted a kitten' }]);
    fx.db.prepare("UPDATE memories SET embedder = '', vector = NULL WHERE id = ?").run(m!.id);
    await fx.memory.embedArrived();
    expect(fx.memory.get(m!.id).embedder).toBe('builtin-hash-v2/384');
  });

  // docs/embeddings.md: "findable by its words at once". In a process that re-embeds in the background (serve), or
  // with more than a page waiting, a search does not embed them first: the vector channel cannot rank them at all.
  it('a memory not embedded yet is found by its words ahead of embedded memories that do not hold them', async () => {
    const model = fakeModel();
    fx = await memoryFixture({}, model.embedder);
    await fx.memory.add(Array.from({ length: 40 }, (_, i) => ({ text: `note ${i} about the garden and the weather` })));
    await fx.memory.embedPending();
    await fx.memory.add([
      ...Array.from({ length: 70 }, (_, i) => ({ text: `errand ${i}: the post office and the bakery` })),
      { text: 'We brewed kombucha in the garage' },
    ]);
    expect(fx.memory.pendingVectors().new).toBe(71);
    const r = await fx.memory.recall({ text: 'what did we brew? kombucha', k: 3, peek: true });
    expect(r[0]?.memory.text).toBe('We brewed kombucha in the garage');
  });
});
