/**
 * Full-text candidates for hybrid recall: BM25 over memories_fts (SQLite FTS5, migration 2), normalised to 0..1 by
 * the best score of the query. Stopwords are left out of the query: they match nearly everything, cost time and add
 * nothing BM25's IDF would not discount anyway. A database without the table (created by a build that ran a later
 * migration first) just recalls by vectors.
 */
import type { Db } from '../store/db.js';
import { STOPWORDS, tokenize } from './embedder-builtin.js';
import type { VectorFilter } from './types.js';
import { fromBlob } from './vectors.js';

export interface LexicalHit {
  id: string;
  lexical: number;
  vector: Float32Array;
}

export function createLexicalSearch(db: Db, embedderId: () => string) {
  const available = db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'memories_fts'").pluck().get() === 1;
  const ranked = available ? db.prepare('SELECT rowid AS label, -rank AS s FROM memories_fts WHERE memories_fts MATCH ? ORDER BY rank LIMIT ?') : null;
  const rows = db.prepare("SELECT id, label, actor, kind, vector FROM memories WHERE label IN (SELECT value FROM json_each(?)) AND status = 'active' AND embedder = ? AND vector IS NOT NULL");
  return {
    available,
    search(text: string, limit: number, filter: VectorFilter): LexicalHit[] {
      const terms = [...new Set(tokenize(text).filter((w) => !STOPWORDS.has(w)))];
      if (!ranked || !terms.length) return [];
      const hits = ranked.all(terms.map((w) => `"${w}"`).join(' OR '), limit * 2) as { label: number; s: number }[];
      const best = hits[0]?.s ?? 0;
      if (best <= 0) return [];
      const score = new Map(hits.map((h) => [h.label, h.s / best]));
      const out: LexicalHit[] = [];
      for (const r of rows.all(JSON.stringify([...score.keys()]), embedderId()) as { id: string; label: number; actor: string; kind: string; vector: Buffer }[]) {
        if (filter.actor !== undefined && r.actor !== filter.actor) continue;
        if (filter.kinds?.length && !filter.kinds.includes(r.kind as never)) continue;
        out.push({ id: r.id, lexical: score.get(r.label) as number, vector: fromBlob(r.vector) });
      }
      return out.sort((a, b) => b.lexical - a.lexical).slice(0, limit);
    },
  };
}
