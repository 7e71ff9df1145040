/**
 * Recall quality is measured, not assumed (docs/memory-recall.md): evidence recall@5 and @10 of the default recall,
 * through the same path as `progeny bench recall` (so with the product's defaults: the built-in semantic embedder and
 * contextual memories), on the project's three evaluation sets (fixtures/memory/: the first set;
 * eval-conversation-2.json, never tuned on; eval-conversation-3.json, a long person–companion conversation), against
 * a plain BM25 ranking of the same turns (SQLite FTS5; the better of all query words and of stopwords left out) and
 * against each channel of recall alone.
 */
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEvalFile, type EvalFile } from './eval-file.js';
import { runRecallEval, turnMemoryText } from './run.js';
import { evidenceRecallAt, recallFigures } from './score.js';
import { mergeConfig } from '../../core/config/load.js';
import type { Config } from '../../core/config/schema.js';
import { STOPWORDS, tokenize } from '../../core/memory/embedder-builtin.js';
import { MODEL_ID } from '../../core/memory/embedder-model.js';

const load = (name: string): EvalFile =>
  readEvalFile(new URL(`../../../fixtures/memory/${name}`, import.meta.url).pathname);

/** Mean evidence recall@10 of a plain BM25 ranking over the turns (as recall indexes them), per conversation. */
function bm25Recall(set: EvalFile, dropStopwords: boolean): number {
  let sum = 0;
  let n = 0;
  for (const c of set.conversations) {
    const db = new Database(':memory:');
    db.exec("CREATE VIRTUAL TABLE turns USING fts5(id UNINDEXED, text, tokenize = 'unicode61 remove_diacritics 2')");
    const put = db.prepare('INSERT INTO turns (id, text) VALUES (?, ?)');
    for (const s of c.sessions) for (const t of s.turns) put.run(t.id, turnMemoryText(t));
    const search = db.prepare('SELECT id FROM turns WHERE turns MATCH ? ORDER BY bm25(turns) LIMIT 10').pluck();
    for (const q of c.questions) {
      const words = tokenize(q.question).filter((w) => !dropStopwords || !STOPWORDS.has(w));
      const ranked = words.length ? (search.all(words.map((w) => `"${w}"`).join(' OR ')) as string[]) : [];
      sum += evidenceRecallAt(ranked, q.evidence, 10);
      n++;
    }
    db.close();
  }
  return sum / n;
}

/** Evidence recall@5 and @10 of one configuration (the defaults plus overrides), through the bench's path. */
async function recallAt(set: EvalFile, overrides: Partial<Config> = {}): Promise<{ 5: number; 10: number }> {
  const config = { ...mergeConfig({}).config, ...overrides };
  const { outcomes, embedders } = await runRecallEval(set, { config, k: 10 });
  // What the product does by default: the semantic model (a fallback to the hash embedder would measure another thing).
  expect(embedders).toEqual([MODEL_ID]);
  const { recall } = recallFigures(outcomes, [5, 10]);
  return { 5: recall[5] as number, 10: recall[10] as number };
}

const figures: string[] = [];
afterAll(() => console.info(`evidence recall@5/@10:\n${figures.join('\n')}`));
const fmt = (r: { 5: number; 10: number }) => `${r[5].toFixed(3)}/${r[10].toFixed(3)}`;

/**
 * The defaults (the built-in semantic embedder, contextual memories, the fusion of docs/memory-recall.md) against
 * each channel alone with every other setting the same: `memory.recall.lexicalWeight` 0 (vectors) and 1 (words).
 * The default must be at least as good as either at k = 5 and 10, and better than the vectors alone at 10.
 */
describe.each([
  ['eval-conversation.json', 0.9, true],
  ['eval-conversation-2.json', 0, false],
  ['eval-conversation-3.json', 0, true],
] as const)('recall quality on %s', (file, floor, channelsHold) => {
  const set = load(file);
  let hybrid: { 5: number; 10: number };
  let vectors: { 5: number; 10: number };
  let words: { 5: number; 10: number };
  beforeAll(async () => {
    // Three runs of each conversation, each loading the semantic model and embedding every turn in its worker.
    hybrid = await recallAt(set);
    vectors = await recallAt(set, { 'memory.recall.lexicalWeight': 0 });
    words = await recallAt(set, { 'memory.recall.lexicalWeight': 1 });
    const bm25 = Math.max(bm25Recall(set, false), bm25Recall(set, true));
    figures.push(
      `  ${file}: default ${fmt(hybrid)}, vectors only ${fmt(vectors)}, words only ${fmt(words)}, plain BM25 @10 ${bm25.toFixed(3)}`,
    );
  }, 600_000);

  it('beats a plain BM25 ranking of the same turns, above its floor', () => {
    const bm25 = Math.max(bm25Recall(set, false), bm25Recall(set, true));
    expect(hybrid[10]).toBeGreaterThan(bm25);
    expect(hybrid[10]).toBeGreaterThanOrEqual(floor);
  });

  it('is at least as good as the words alone', () => {
    expect(hybrid[5]).toBeGreaterThanOrEqual(words[5]);
    expect(hybrid[10]).toBeGreaterThanOrEqual(words[10]);
  });

  // The held-out set, measured after the rule was chosen on the other two, has one evidence turn at @10 that the
  // vectors alone find and the default does not (0.952 against 1.000; at @5 the default leads, 0.905 against 0.833):
  // recorded here as a known shortfall (docs/memory-recall.md), not tuned away. When it holds, this test fails.
  (channelsHold ? it : it.fails)('is at least as good as the vectors alone, and better at 10', () => {
    expect(hybrid[5]).toBeGreaterThanOrEqual(vectors[5]);
    expect(hybrid[10]).toBeGreaterThan(vectors[10]);
  });
});
