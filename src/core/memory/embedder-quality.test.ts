/**
 * What the semantic embedder is for (docs/embeddings.md, "Figures"): pure-cosine evidence recall@10 on every
 * evaluation set in fixtures/memory (each turn ranked by the cosine of its vector to the question's), against the hash
 * embedder on the same sets. Measured: USE lite 0.950, 0.905 and 0.573, hash 0.750, 0.619 and 0.226 (the third set's
 * short replies only make sense after the turn before them: what contextual memories are for).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { createBuiltinEmbedder } from './embedder-builtin.js';
import { createModelEmbedder } from './embedder-model.js';
import type { Embedder } from './types.js';
import { dot } from './vectors.js';

/** The conversation format of `progeny bench recall` (docs): conversations → dated sessions → turns, and questions. */
interface EvalFile {
  conversations: {
    sessions: { turns: { id: string; text: string }[] }[];
    questions: { question: string; evidence: string[] }[];
  }[];
}

const dir = new URL('../../../fixtures/memory/', import.meta.url);
/** Sets whose turns often lack the words of their answer ("Yes, last Tuesday!") need context (issue 11's other half). */
const FLOOR: Record<string, number> = { 'eval-conversation-3.json': 0.55 };
const sets = readdirSync(dir)
  .filter((f) => /^eval-conversation.*\.json$/.test(f))
  .map((f) => [f, JSON.parse(readFileSync(new URL(f, dir), 'utf8')) as EvalFile] as const);

/** Mean over questions of the share of evidence turns among the 10 turns of its conversation nearest by cosine. */
async function cosineRecallAt10(e: Embedder, file: EvalFile): Promise<number> {
  const per: number[] = [];
  for (const c of file.conversations) {
    const turns = c.sessions.flatMap((s) => s.turns);
    const tv = await e.embed(turns.map((t) => t.text));
    const qv = await e.embed(c.questions.map((q) => q.question));
    c.questions.forEach(({ evidence }, i) => {
      const top = new Set(
        turns
          .map((t, j) => ({ id: t.id, s: dot(qv[i] as Float32Array, tv[j] as Float32Array) }))
          .sort((a, b) => b.s - a.s)
          .slice(0, 10)
          .map((x) => x.id),
      );
      per.push(evidence.filter((id) => top.has(id)).length / evidence.length);
    });
  }
  return per.reduce((a, b) => a + b, 0) / per.length;
}

describe('semantic embedder quality', () => {
  const model = createModelEmbedder();
  afterAll(() => model.close());

  it.each(sets)(
    'finds the evidence of %s by cosine alone (recall@10 ≥ 0.9 or its floor, above the hash embedder)',
    async (file, set) => {
      const semantic = await cosineRecallAt10(model, set);
      const hash = await cosineRecallAt10(createBuiltinEmbedder(), set);
      console.info(
        `${file} pure-cosine evidence recall@10: ${model.id} ${semantic.toFixed(3)}, hash ${hash.toFixed(3)}`,
      );
      expect(semantic).toBeGreaterThanOrEqual(FLOOR[file] ?? 0.9);
      expect(semantic).toBeGreaterThan(hash);
    },
    180_000,
  );
});
