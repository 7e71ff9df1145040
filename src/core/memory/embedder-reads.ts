/**
 * Whether an embedder's vector of a text says anything about it (docs/embeddings.md, "Inputs"). The built-in model's
 * vocabulary is English: a Chinese, Japanese, Korean or Arabic word is one unknown token to it, so every unspaced
 * Chinese or Japanese text gets the same vector and unrelated Korean ones sit at cosine 0.5–0.8. Recall must not rank
 * by such a vector, nor take two such memories for near-duplicates: for a text mostly in scripts other than Latin,
 * the built-in model's vectors are ignored and the words decide (recall.ts). The hash embedder (character trigrams)
 * and the providers' models read any script.
 */
import { isAscii } from '../store/cjk-grams.js';

/** The ids of the built-in model's vectors begin so (embedder-model.ts MODEL_ID; a test holds them together). */
export const LATIN_ONLY_MODEL = 'builtin-use-lite-';

// Unicode classes cost time to build, and most texts never need them (ASCII): made on first use.
let classes: { letter: RegExp; latin: RegExp } | undefined;

export function embedderReads(embedderId: string, text: string): boolean {
  // Most texts are plain ASCII: one quick test instead of counting letters (recall asks for every candidate).
  if (!embedderId.startsWith(LATIN_ONLY_MODEL) || isAscii(text)) return true;
  classes ??= { letter: /\p{L}/gu, latin: /\p{Script=Latin}/gu };
  const letters = text.match(classes.letter)?.length ?? 0;
  if (letters === 0) return true;
  const latin = text.match(classes.latin)?.length ?? 0;
  return latin * 2 >= letters;
}
