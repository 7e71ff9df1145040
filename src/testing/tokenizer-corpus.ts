/**
 * Test support: the texts the tokenizers are compared on (embedder-tokenizer.test.ts: ours against the library's;
 * embedder-native-tokenizer.test.ts: the addon's against ours). Every line and quoted string of the eval sets in
 * fixtures/memory, awkward inputs (empty, spaces only, other scripts, emoji sequences, combining marks, lone
 * surrogates, compatibility characters, a long text) and seeded random strings over two alphabets.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const AWKWARD = [
  '',
  ' ',
  '  two  spaces ',
  '日本語のテキスト',
  '🙂🙂 emoji 👩‍👩‍👧',
  'مرحبا بالعالم',
  'ﬁne ① ＡＢＣ',
  '\u0000x',
  'ab'.repeat(800),
  'e\u0301te\u0301 cafe\u0301 n\u0303 a\u0308\u0304',
  '\ud800 lone high, lone low \udc00, reversed \udc00\ud800, end \ud83d',
  '\u2581already\u2581separated',
  '한국어 텍스트와 ﾊﾝｶｸ',
];

/** Strings of up to `max` symbols drawn from `alphabet` by a seeded generator (the same strings every run). */
function randomStrings(alphabet: string[], count: number, max: number, seed: number): string[] {
  const rnd = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  return Array.from({ length: count }, () =>
    Array.from({ length: Math.floor(rnd() * max) }, () => alphabet[Math.floor(rnd() * alphabet.length)]).join(''),
  );
}

export function tokenizerCorpus(): string[] {
  const dir = join(import.meta.dirname, '../../fixtures/memory');
  const texts = readdirSync(dir).flatMap((f) => readFileSync(join(dir, f), 'utf8').split(/\n|"/));
  texts.push(...AWKWARD);
  const latin = Array.from('abcdefghijklmnopqrstuvwxyz     .,!?\'"-0123456789ÀéßΩЖ中文🙂\u2581\t\n');
  texts.push(...randomStrings(latin, 2000, 80, 3));
  // Unicode-heavy: CJK, emoji (with joiners and skin tones), combining marks, lone surrogates, compatibility forms.
  const unicode = Array.from('a e 中文字日本한국🙂👍🏽👩\u200d\u0301\u0308\u0327ﬁ①Ａｶﾟ\u00a0\u3000')
    .concat(['\ud800', '\udfff', '\ud83d'])
    .concat(Array.from('the cat sat on '));
  texts.push(...randomStrings(unicode, 1000, 60, 11));
  return texts;
}
