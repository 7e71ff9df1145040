import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryFixture, type MemoryFixture } from '../../testing/memory-fixture.js';
import { formsOf, lemma } from './lemmas.js';
import { createBuiltinEmbedder } from './embedder-builtin.js';
import { createLexicalSearch, MAX_POSTINGS, selectTerms } from './lexical.js';

describe('selectTerms: which query words the full-text index scores', () => {
  const docs = new Map([
    ['cello', 3],
    ['story', 120],
    ['side', 200],
    ['part', 2500],
    ['1499', 1],
  ]);

  it('takes the rarest first and stops before the postings bound', () => {
    expect(selectTerms(docs, ['story', 'side', '1499', 'cello'])).toEqual(['1499', 'cello', 'story']);
    expect(selectTerms(docs, ['part'])).toEqual([]);
    expect(selectTerms(docs, ['story', 'side'], 10_000)).toEqual(['story', 'side']);
  });

  it('leaves out words the index does not know', () => {
    expect(selectTerms(docs, ['violin', 'cello'])).toEqual(['cello']);
    expect(selectTerms(new Map(), ['anything'])).toEqual([]);
  });
});

describe('query normalisation: irregular verbs', () => {
  it('maps a past form to its base and asks for every form', () => {
    expect(lemma('bought')).toBe('buy');
    expect(lemma('cello')).toBe('cello');
    expect(formsOf('gave')).toEqual(['give', 'gave', 'given']);
    expect(formsOf('buy')).toEqual(['buy', 'bought']);
    expect(formsOf('cello')).toEqual(['cello']);
    // Past forms more often meant as other words are not verbs here.
    expect(formsOf('left')).toEqual(['left']);
  });

  it('a question in the present finds a memory told in the past', async () => {
    const fx = await memoryFixture();
    try {
      await fx.memory.add([{ text: 'I bought a secondhand cello' }, { text: 'we walked along the river' }]);
      const [top] = await fx.memory.recall({ text: 'what did I buy?', k: 1, peek: true });
      expect(top?.memory.text).toBe('I bought a secondhand cello');
      expect(top?.score.lexical).toBe(1);
    } finally {
      await fx.cleanup();
    }
  });
});

describe('hybrid recall among thousands of near-identical memories', () => {
  let fx: MemoryFixture;
  beforeAll(async () => {
    fx = await memoryFixture();
    const n = Math.max(3000, MAX_POSTINGS * 4);
    await fx.memory.add(
      Array.from({ length: n }, (_, i) => ({ text: `b memory ${i}: the b side of the story, part ${i}` })),
    );
  });
  afterAll(() => fx.cleanup());

  it('finds the one memory a rare word names (vectors alone rank near-duplicates unreliably)', async () => {
    expect(fx.config['memory.recall.lexicalWeight']).toBeGreaterThan(0);
    for (const i of [5, 123, 777, 1499, 2400]) {
      const hits = await fx.memory.recall({ text: `the b side of the story part ${i}`, k: 3, peek: true });
      expect(hits[0]?.memory.text).toBe(`b memory ${i}: the b side of the story, part ${i}`);
      expect(hits[0]?.score.lexical).toBe(1);
    }
  });

  it('probes a word found over the bound once, then remembers it is common', async () => {
    const lexical = createLexicalSearch(fx.db, () => createBuiltinEmbedder().id);
    lexical.search('story side 17', 5, {});
    expect(lexical.probes()).toBe(3);
    const hits = lexical.search('story side 17', 5, {});
    expect(lexical.probes()).toBe(4); // only the rare "17" again
    expect(hits.map((h) => h.lexical)).toEqual([1]);
  });

  it('scores no word found in more memories than the bound', async () => {
    const hits = await fx.memory.recall({ text: 'the b side of the story', k: 3, peek: true });
    expect(hits).toHaveLength(3);
    for (const h of hits) expect(h.score.lexical ?? 0).toBe(0);
  });
});
