/**
 * Recall quality is measured, not assumed (domain.md): evidence recall@10 on a hand-written conversational set, for
 * the built-in embedder's cosine ranking, the full recall (score with freshness and salience, then MMR) and a plain
 * BM25 ranking (SQLite FTS5). Measured (builtin-hash-v2): cosine 0.750, full recall 0.550 (vectors only) or 0.700
 * (hybrid, the default, memory.recall.lexicalWeight 0.2–0.6), BM25 0.775. The goal of domain.md (beat BM25) is
 * not met yet; these floors keep what is there from regressing. Freshness costs the most here, because the evidence
 * is spread over two months of sessions.
 */
import Database from 'better-sqlite3';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryFixture, type MemoryFixture } from '../../testing/memory-fixture.js';
import { createBuiltinEmbedder, embedBuiltin, tokenize } from './embedder-builtin.js';
import { dot } from './vectors.js';

const embedBuiltinAll = (texts: string[]) => createBuiltinEmbedder().embed(texts);

interface EvalSet { turns: { id: string; session: string; date: string; text: string }[]; questions: { q: string; evidence: string[] }[] }
const set = JSON.parse(readFileSync(new URL('../../../fixtures/memory/eval-conversation.json', import.meta.url), 'utf8')) as EvalSet;

/** Mean over questions of the share of evidence turns found in the top 10. */
function evidenceRecall(rank: (q: string) => string[]): number {
  const per = set.questions.map(({ q, evidence }) => {
    const top = new Set(rank(q).slice(0, 10));
    return evidence.filter((e) => top.has(e)).length / evidence.length;
  });
  return per.reduce((a, b) => a + b, 0) / per.length;
}

describe('recall quality on the conversational evaluation set', () => {
  let fx: MemoryFixture;
  const turnOf = new Map<string, string>();
  beforeAll(async () => {
    fx = await memoryFixture({ 'memory.recall.lexicalWeight': 0 });
    for (const [i, t] of set.turns.entries()) {
      const [m] = await fx.memory.add([{ text: t.text, createdAt: Date.parse(`${t.date}T12:00:00Z`) + i * 60_000 }]);
      turnOf.set(m!.id, t.id);
    }
    fx.clock.set(Date.parse('2026-03-11T12:00:00Z'));
  });
  afterAll(() => fx.cleanup());

  it('evidence recall@10 of the built-in recall, its embedder alone, and BM25', async () => {
    const ranked = new Map<string, string[]>();
    for (const { q } of set.questions) {
      const hits = await fx.memory.recall({ text: q, k: 10, peek: true });
      ranked.set(q, hits.map((h) => turnOf.get(h.memory.id) as string));
    }
    const ours = evidenceRecall((q) => ranked.get(q) as string[]);
    fx.config['memory.recall.lexicalWeight'] = 0.4;
    for (const { q } of set.questions) {
      const hits = await fx.memory.recall({ text: q, k: 10, peek: true });
      ranked.set(q, hits.map((h) => turnOf.get(h.memory.id) as string));
    }
    const hybrid = evidenceRecall((q) => ranked.get(q) as string[]);

    const db = new Database(':memory:');
    db.exec("CREATE VIRTUAL TABLE turns USING fts5(id UNINDEXED, text, tokenize = 'unicode61 remove_diacritics 2')");
    const put = db.prepare('INSERT INTO turns (id, text) VALUES (?, ?)');
    for (const t of set.turns) put.run(t.id, t.text);
    const search = db.prepare('SELECT id FROM turns WHERE turns MATCH ? ORDER BY bm25(turns) LIMIT 10').pluck();
    const bm25 = evidenceRecall((q) => search.all(tokenize(q).map((w) => `"${w}"`).join(' OR ')) as string[]);
    db.close();

    const vectors = new Map((await embedBuiltinAll(set.turns.map((t) => t.text))).map((v, i) => [set.turns[i]!.id, v]));
    const cosine = evidenceRecall((q) => {
      const qv = embedBuiltin(q);
      return [...vectors].sort((a, b) => dot(qv, b[1]) - dot(qv, a[1])).map(([id]) => id);
    });
    console.info(`evidence recall@10: cosine ${cosine.toFixed(3)}, recall ${ours.toFixed(3)}, hybrid recall ${hybrid.toFixed(3)}, BM25 ${bm25.toFixed(3)}`);
    expect(cosine).toBeGreaterThanOrEqual(0.7);
    expect(ours).toBeGreaterThanOrEqual(0.5);
    expect(hybrid).toBeGreaterThan(ours);
    expect(bm25).toBeGreaterThan(0.7);
  });
});
