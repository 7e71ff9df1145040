import { describe, expect, it } from 'vitest';
import { tempDb } from '../../testing/temp-home.js';
import { createBuiltinEmbedder, embedBuiltin, tokenize } from './embedder-builtin.js';
import { createCachedEmbedder } from './embedder-cached.js';
import { createProviderEmbedder } from './embedder-provider.js';
import { dot } from './vectors.js';

describe('built-in embedder', () => {
  it('is deterministic, 384-dimensional and unit length', async () => {
    const e = createBuiltinEmbedder();
    expect(e.id).toBe('builtin-hash-v2/384');
    const [x, y] = await e.embed(['I am learning the cello', 'I am learning the cello']);
    expect(x).toHaveLength(384);
    expect(Array.from(x!)).toEqual(Array.from(y!));
    expect(dot(x!, x!)).toBeCloseTo(1, 5);
  });

  it('puts related texts closer than unrelated ones', () => {
    const q = embedBuiltin('which instrument is she learning?');
    const near = embedBuiltin('She started learning the cello last spring');
    const far = embedBuiltin('The train to Lyon leaves at noon');
    expect(dot(q, near)).toBeGreaterThan(dot(q, far) + 0.1);
  });

  it('folds case and diacritics, splits on punctuation', () => {
    expect(tokenize('Café, CAFÉ! naïve-idea')).toEqual(['cafe', 'cafe', 'naive', 'idea']);
    expect(embedBuiltin('')).toEqual(new Float32Array(384));
  });

  it('splits printable ASCII text (its fast path) exactly as the Unicode rules do', () => {
    const unicode = (t: string): string[] =>
      t
        .normalize('NFKD')
        .replace(/\p{M}+/gu, '')
        .toLowerCase()
        .split(/[^\p{L}\p{N}]+/u)
        .filter(Boolean);
    let seed = 7;
    const next = (n: number): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) % n;
    const texts = Array.from({ length: 3000 }, () =>
      String.fromCharCode(...Array.from({ length: 1 + next(40) }, () => (next(10) ? 32 + next(95) : next(128)))),
    );
    texts.push('when did Rosa go to the library', 'A1-b2_C3 d4.E5', '\t\n\x00\x7f', '');
    for (const t of texts) expect(tokenize(t), JSON.stringify(t)).toEqual(unicode(t));
    expect(tokenize('Rosa went to the CAFÉ')).toEqual(['rosa', 'went', 'to', 'the', 'cafe']);
  });
});

describe('cached embedder', () => {
  it('embeds each distinct text once and serves repeats from embed_cache', async () => {
    const t = tempDb();
    const calls: string[][] = [];
    const inner = {
      id: 'fake/2',
      dimensions: 2,
      embed: async (texts: string[]) => (calls.push(texts), texts.map((s) => Float32Array.from([s.length, 1]))),
    };
    const c = createCachedEmbedder(t.db, inner);
    await c.embed(['ab', 'ab', 'abc']);
    const again = await c.embed(['abc', 'ab']);
    expect(calls).toEqual([['ab', 'abc']]);
    expect(Array.from(again[0]!)).toEqual([3, 1]);
    c.evict('ab');
    await c.embed(['ab']);
    expect(calls).toHaveLength(2);
    t.cleanup();
  });

  it('stays within its size bound', async () => {
    const t = tempDb();
    const inner = {
      id: 'fake/1',
      dimensions: 1,
      embed: async (texts: string[]) => texts.map(() => Float32Array.from([1])),
    };
    const c = createCachedEmbedder(t.db, inner, 100);
    for (let i = 0; i < 20; i++) await c.embed(Array.from({ length: 50 }, (_, j) => `text ${i} ${j}`));
    expect(t.db.prepare('SELECT count(*) FROM embed_cache').pluck().get()).toBeLessThanOrEqual(100);
    t.cleanup();
  });
});

describe('provider embedder', () => {
  it('normalises vectors, learns the dimension and rejects a change of it', async () => {
    let dims = 2;
    const e = createProviderEmbedder(
      async (texts) => texts.map(() => Array.from({ length: dims }, () => 3)),
      'ollama:nomic',
    );
    const [v] = await e.embed(['x']);
    expect(e.dimensions).toBe(2);
    expect(dot(v!, v!)).toBeCloseTo(1, 6);
    dims = 3;
    await expect(e.embed(['y'])).rejects.toThrow(/changed dimension/);
  });
});
