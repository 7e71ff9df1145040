/**
 * The hash embedder (docs/embeddings.md): deterministic feature hashing, no model files, the fallback of the semantic
 * one and an explicit choice (embedder.kind=hash)
 * (the id's version changes whenever the vectors would; a home re-embeds at open when it does). Word
 * unigrams, word bigrams and character trigrams are hashed into signed buckets, weighted by sublinear term frequency,
 * and the vector is L2-normalised, so cosine similarity is a dot product.
 */
import type { Embedder } from './types.js';
import { normalise } from './vectors.js';

export const BUILTIN_DIMENSIONS = 384;
// Measured on fixtures/memory/eval-conversation.json (pure cosine evidence recall@10): trigram weight 0.35 → 0.650,
// 0.6 → 0.750 (character trigrams carry morphology: cellist/cello, running/runner). v2 is that change.
const WEIGHT = { word: 1, stop: 0.25, bigram: 0.6, trigram: 0.6 };

// Very frequent words carry little meaning; they still count, just less.
export const STOPWORDS = new Set(
  'a an and are as at be by did do does for from had has have he her his i in is it its me my of on or our she so that the their them they this to was we were what when where which who why will with you your'.split(
    ' ',
  ),
);

/** FNV-1a, 32-bit: fast, stable across platforms and versions (the id pins the algorithm). */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

// Printable ASCII has no diacritics and its letters and digits are [a-z0-9] once lower-cased: the same split without
// the Unicode property classes, whose first compilation cost every hash-embedder command ~0.6 ms (docs/performance.md).
const NOT_PRINTABLE_ASCII = /[^ -~]/;

/** Lower-case, strip diacritics, split on anything that is not a letter or digit. */
export function tokenize(text: string): string[] {
  if (!NOT_PRINTABLE_ASCII.test(text))
    return text
      .toLowerCase()
      .split(/[^a-z0-9]+/)
      .filter(Boolean);
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
}

/** Each feature of one text with its base weight and how often it occurs. */
function features(text: string): Map<string, { base: number; count: number }> {
  const out = new Map<string, { base: number; count: number }>();
  const add = (f: string, base: number): void => {
    const e = out.get(f);
    if (e) e.count++;
    else out.set(f, { base, count: 1 });
  };
  const words = tokenize(text);
  for (let i = 0; i < words.length; i++) {
    const w = words[i] as string;
    add(`w:${w}`, STOPWORDS.has(w) ? WEIGHT.stop : WEIGHT.word);
    if (i + 1 < words.length) add(`b:${w} ${words[i + 1]}`, WEIGHT.bigram);
    const padded = `^${w}$`;
    for (let j = 0; j + 3 <= padded.length; j++) add(`c:${padded.slice(j, j + 3)}`, WEIGHT.trigram);
  }
  return out;
}

export function embedBuiltin(text: string, dims = BUILTIN_DIMENSIONS): Float32Array {
  const v = new Float32Array(dims);
  for (const [f, { base, count }] of features(text)) {
    const h = fnv1a(f);
    // The top bit picks the sign so collisions cancel out on average instead of piling up.
    const sign = h & 0x80000000 ? -1 : 1;
    // Sublinear term frequency: a word said five times is not five times as relevant.
    v[h % dims] = (v[h % dims] as number) + sign * base * (1 + Math.log(count));
  }
  return normalise(v);
}

export function createBuiltinEmbedder(dims = BUILTIN_DIMENSIONS): Embedder & { local: true; cheap: true } {
  return {
    id: `builtin-hash-v2/${dims}`,
    dimensions: dims,
    local: true,
    cheap: true,
    embed: (texts) => Promise.resolve(texts.map((t) => embedBuiltin(t, dims))),
  };
}
