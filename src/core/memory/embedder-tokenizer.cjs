/**
 * The sentence-piece tokenizer of Universal Sentence Encoder lite, for the embedder's worker (embedder-worker.cjs,
 * docs/embeddings.md "Costs"). It gives exactly the token ids of `@energetic-ai/embeddings` 0.2.0's tokenizer (a
 * test compares them), ties and quirks included (the best path prefers the later of equal scores; an unknown
 * character is token 0, and runs of them merge), because the vectors must not change. What differs is the cost: the
 * library copies the rest of the text at every position (`symbols.slice(i)`), which is quadratic in the length, and
 * keeps the whole prefix in every trie node; here the trie is walked from an index and a node holds only its
 * children and, when a piece ends there, that piece's id and score.
 */
'use strict';

const SEPARATOR = '\u2581';
/** The library's tokenizer leaves out the first six ids (�, <s>, </s> and three extra tokens). */
const RESERVED = 6;

function buildTrie(vocabulary) {
  const root = { next: new Map(), id: -1, score: 0 };
  for (let id = RESERVED; id < vocabulary.length; id++) {
    const [piece, score] = vocabulary[id];
    let node = root;
    for (const symbol of piece) {
      let child = node.next.get(symbol);
      if (!child) node.next.set(symbol, (child = { next: new Map(), id: -1, score: 0 }));
      node = child;
    }
    // A piece listed twice keeps its last id and score, as the library's trie does.
    if (node !== root) [node.id, node.score] = [id, score];
  }
  return root;
}

/** @param {[string, number][]} vocabulary the model's vocab.json: [piece, score] by id */
function createTokenizer(vocabulary) {
  const root = buildTrie(vocabulary);
  // The pieces' lengths are all the backtracking needs: the vocabulary itself is not kept.
  const lengths = Uint8Array.from(vocabulary, ([piece]) => Math.min(piece.length, 255));
  /** @param {string} text @returns {number[]} token ids */
  function encode(text) {
    const normalized = text.normalize('NFKC');
    const input = normalized.length > 0 ? SEPARATOR + normalized.replace(/ /g, SEPARATOR) : normalized;
    const symbols = Array.from(input);
    const n = symbols.length;
    // Candidates ending at each position, in increasing start order: [start, id, score].
    const ending = Array.from({ length: n + 1 }, () => []);
    for (let i = 0; i < n; i++) {
      let node = root.next.get(symbols[i]);
      let found = false;
      for (let j = i; j < n && node; j++) {
        if (node.id >= 0) {
          ending[j + 1].push(i, node.id, node.score);
          found = true;
        }
        node = j + 1 < n ? node.next.get(symbols[j + 1]) : undefined;
      }
      if (!found) ending[i + 1].push(i, 0, 0);
    }
    const best = new Float64Array(n + 1);
    const words = new Int32Array(n + 1);
    for (let end = 0; end <= n; end++) {
      const c = ending[end];
      for (let k = 0; k < c.length; k += 3) {
        const score = c[k + 2] + best[c[k]];
        if (best[end] === 0 || score >= best[end]) {
          best[end] = score;
          words[end] = c[k + 1];
        }
      }
    }
    // Back from the end by each piece's length in UTF-16 units (the library's step; every piece is in the BMP).
    const backwards = [];
    for (let at = n; at > 0; at -= lengths[words[at]]) backwards.push(words[at]);
    const merged = [];
    let previousUnknown = false;
    for (const id of backwards) {
      if (!(previousUnknown && id === 0)) merged.push(id);
      previousUnknown = id === 0;
    }
    return merged.reverse();
  }
  return { encode };
}

module.exports = { createTokenizer };
