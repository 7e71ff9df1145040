/**
 * Recall quality is measured, not assumed (docs/memory-recall.md): evidence recall@10 of the default recall, through
 * the same path as `progeny bench recall`, on the project's three evaluation sets (fixtures/memory/: the first set;
 * eval-conversation-2.json, never tuned on; eval-conversation-3.json, a long person–companion conversation), against
 * a plain BM25 ranking of the same turns (SQLite FTS5; the better of all query words and of stopwords left out) and
 * against the vector channel alone.
 */
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { readEvalFile, type EvalFile } from './eval-file.js';
import { runRecallEval, turnMemoryText } from './run.js';
import { evidenceRecallAt, recallFigures } from './score.js';
import { mergeConfig } from '../../core/config/load.js';
import type { Config } from '../../core/config/schema.js';
import { STOPWORDS, tokenize } from '../../core/memory/embedder-builtin.js';

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

async function recallAt10(set: EvalFile, overrides: Partial<Config> = {}): Promise<number> {
  const config = { ...mergeConfig({}).config, ...overrides };
  const { outcomes } = await runRecallEval(set, { config, k: 10 });
  return recallFigures(outcomes, [10]).recall[10] as number;
}

const figures: string[] = [];
afterAll(() => console.info(`evidence recall@10:\n${figures.join('\n')}`));

describe.each([
  ['eval-conversation.json', 'floor', 0.7],
  ['eval-conversation-2.json', 'beats BM25', 0],
  ['eval-conversation-3.json', 'beats BM25', 0],
] as const)('recall quality on %s', (file, check, floor) => {
  it(`the default recall against plain BM25 and the vector channel alone (${check})`, async () => {
    const set = load(file);
    const hybrid = await recallAt10(set);
    const vectorsOnly = await recallAt10(set, { 'memory.recall.lexicalWeight': 0 });
    const bm25 = Math.max(bm25Recall(set, false), bm25Recall(set, true));
    figures.push(
      `  ${file}: default ${hybrid.toFixed(3)}, vectors only ${vectorsOnly.toFixed(3)}, plain BM25 ${bm25.toFixed(3)}`,
    );
    if (check === 'beats BM25') expect(hybrid).toBeGreaterThan(bm25);
    if (check === 'floor') expect(hybrid).toBeGreaterThanOrEqual(floor);
    expect(hybrid).toBeGreaterThan(vectorsOnly);
    // Two runs of each conversation, each loading the semantic model and embedding every turn in its worker.
  }, 180_000);
});
