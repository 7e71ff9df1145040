/**
 * Full-text candidates for hybrid recall: BM25 over memories_fts (SQLite FTS5, migration 2), normalised to 0..1 by
 * the best score of the query. FTS5 scores every row that holds any query term, so a common word would make a query
 * cost milliseconds at 100k memories: terms are taken rarest first (each counted by a probe that stops after the
 * bound, since fts5vocab lookups scan the whole vocabulary) while their postings stay under a bound, and words in more documents than that are left to the vectors, where they
 * belong (BM25's IDF would all but discount them anyway). Stopwords never count; an irregular verb also asks for its
 * other forms (lemmas.ts). A database without the table
 * (created by a build that ran a later migration first) just recalls by vectors.
 */
import type { Db } from '../store/db.js';
import { cjkQueryTerms } from '../store/cjk-grams.js';
import { STOPWORDS, tokenize } from './embedder-builtin.js';
import { formsOf } from './lemmas.js';
import { columnsWithoutVector, type MemoryRow } from './rows.js';
import type { VectorFilter } from './types.js';
import { fromBlob } from './vectors.js';

export interface LexicalHit {
  id: string;
  lexical: number;
  /** Null while the memory has no vector of the current embedder (just added, or not re-embedded yet). */
  vector: Float32Array | null;
  /** The memory's row (vector left out), read with the hit so that recall does not read it again. */
  row: MemoryRow;
}

/** Postings one query may score: BM25 reads each matching row's length (≈ 3 µs a row here), so under a millisecond. */
export const MAX_POSTINGS = 250;

/** The query's terms worth scoring: known to the index, rarest first, within the postings bound. */
export function selectTerms(docs: Map<string, number>, terms: string[], maxPostings = MAX_POSTINGS): string[] {
  const known = terms
    .filter((t) => (docs.get(t) ?? 0) > 0)
    .sort((a, b) => (docs.get(a) as number) - (docs.get(b) as number));
  const out: string[] = [];
  let postings = 0;
  for (const t of known) {
    postings += docs.get(t) as number;
    if (postings > maxPostings) break;
    out.push(t);
  }
  return out;
}

/** One FTS5 table's probes and ranked query, with the bound on the postings a query may score. */
function ftsTable(db: Db, table: string) {
  const available = db.prepare('SELECT 1 FROM sqlite_master WHERE name = ?').pluck().get(table) === 1;
  // Documents holding a term, counted up to one past the bound: cheap (no ranking) whatever the term's frequency.
  const probe = available
    ? db
        .prepare(`SELECT count(*) FROM (SELECT rowid FROM ${table} WHERE ${table} MATCH ? LIMIT ${MAX_POSTINGS + 1})`)
        .pluck()
    : null;
  const ranked = available
    ? db.prepare(`SELECT rowid AS label, -rank AS s FROM ${table} WHERE ${table} MATCH ? ORDER BY rank LIMIT ?`)
    : null;
  // Terms found over the bound: a common word's probe is the costly one (it reads bound + 1 postings, every query),
  // and a word that common stays that common (memories are rarely forgotten), so it is probed once per process.
  const common = new Set<string>();
  let probes = 0;
  const docsOf = (w: string): number => {
    if (common.has(w)) return MAX_POSTINGS + 1;
    probes++;
    const n = probe!.get(`"${w}"`) as number;
    if (n > MAX_POSTINGS) {
      if (common.size >= 50_000) common.clear();
      common.add(w);
    }
    return n;
  };
  return {
    available,
    probes: () => probes,
    /** Each matching memory's BM25 over the best of this query's (0..1], from the terms worth scoring. */
    scores(words: string[], limit: number): Map<number, number> {
      if (!ranked || !words.length) return new Map();
      const terms = selectTerms(new Map(words.map((w) => [w, docsOf(w)])), words);
      if (!terms.length) return new Map();
      const hits = ranked.all(terms.map((w) => `"${w}"`).join(' OR '), limit) as { label: number; s: number }[];
      const best = hits[0]?.s ?? 0;
      return best > 0 ? new Map(hits.map((h) => [h.label, h.s / best])) : new Map();
    },
  };
}

export function createLexicalSearch(db: Db, embedderId: () => string) {
  const words = ftsTable(db, 'memories_fts');
  // Han, kana, Hangul and Thai by pairs of characters (migration 7, docs/memory-recall.md "Texts in other scripts").
  const pairs = ftsTable(db, 'memories_cjk');
  // CROSS JOIN keeps the hit list as the outer loop (one label lookup each); with `label IN (…)` the planner may
  // scan every memory instead, which at 100k cost tens of milliseconds a recall.
  const rows = db.prepare(
    `SELECT ${columnsWithoutVector('m.')}, CASE WHEN m.embedder = ? THEN m.vector END AS current FROM json_each(?) AS hit CROSS JOIN memories AS m ON m.label = hit.value WHERE m.status = 'active'`,
  );
  return {
    available: words.available,
    /** Document-count probes run so far (tests). */
    probes: () => words.probes() + pairs.probes(),
    search(text: string, limit: number, filter: VectorFilter): LexicalHit[] {
      const terms = [
        ...new Set(
          tokenize(text)
            .filter((w) => !STOPWORDS.has(w))
            .flatMap(formsOf),
        ),
      ];
      const score = words.scores(terms, limit * 2);
      const cjk = cjkQueryTerms(text);
      // A memory found both ways keeps its better score: each table's scores are relative to its own best.
      for (const [label, s] of cjk.length ? pairs.scores(cjk, limit * 2) : [])
        score.set(label, Math.max(s, score.get(label) ?? 0));
      if (!score.size) return [];
      const out: LexicalHit[] = [];
      // Every active memory counts, with or without a vector: a memory is findable by its words at once (docs/embeddings.md).
      for (const { current, ...row } of rows.all(embedderId(), JSON.stringify([...score.keys()])) as (MemoryRow & {
        current: Buffer | null;
      })[]) {
        if (filter.actor !== undefined && row.actor !== filter.actor) continue;
        if (filter.kinds?.length && !filter.kinds.includes(row.kind)) continue;
        const vector = current ? fromBlob(current) : null;
        out.push({ id: row.id, lexical: score.get(row.label) as number, vector, row });
      }
      return out.sort((a, b) => b.lexical - a.lexical).slice(0, limit);
    },
  };
}
