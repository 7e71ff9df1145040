/**
 * Candidates from the HNSW index, resolved and re-scored against SQLite: the index is keyed by label and may lag
 * the records, so each hit is looked up, checked (still active, same embedder, matches the filter) and its
 * similarity recomputed exactly from the stored float32 vector, which also undoes the int8 quantisation error.
 */
import type { Db } from '../store/db.js';
import type { AnnIndex } from './ann-index.js';
import type { MemoryRow } from './rows.js';
import type { VectorCandidate, VectorFilter } from './types.js';
import { dot, dots, fromBlob } from './vectors.js';

/**
 * How many neighbours to ask the graph for, per result wanted (exact re-scoring then orders them). Recall already asks
 * for 5·k candidates (docs/domain.md); over-fetching twice that cost a third of a recall at 100k (each hit is a row read
 * with its 1.5 KB vector) and found no more of the exact top 10 (0.974 either way on the bench corpus).
 */
export const ANN_FETCH = { multiplier: 1, min: 25 };

const statements = new WeakMap<Db, ReturnType<Db['prepare']>>();

/** A vector search: the query, how many, which memories, the embedder whose vectors count, and the ids the index lags on. */
export interface CandidateQuery {
  q: Float32Array;
  limit: number;
  filter: VectorFilter;
  embedderId: string;
  inTail: (id: string) => boolean;
}

export function annCandidates(db: Db, index: AnnIndex, query: CandidateQuery): VectorCandidate[] {
  const { q, limit, filter, embedderId, inTail } = query;
  let byLabel = statements.get(db);
  // One query per batch of hits (json_each) instead of one per hit.
  if (!byLabel)
    statements.set(
      db,
      (byLabel = db.prepare('SELECT * FROM memories WHERE label IN (SELECT value FROM json_each(?))')),
    );
  const out: VectorCandidate[] = [];
  const seen = new Set<number>();
  // Over-fetch (filters and stale entries drop some), and widen once when a selective filter leaves too few.
  for (const k of [Math.max(ANN_FETCH.multiplier * limit, ANN_FETCH.min), Math.max(16 * limit, 400)]) {
    const fresh = index.search(q, k).filter((label) => !seen.has(label));
    fresh.forEach((label) => seen.add(label));
    const hits: { row: MemoryRow; vector: Float32Array }[] = [];
    // Whole rows: recall needs them for the candidates it keeps (VectorCandidate.row), and they are read anyway.
    for (const row of byLabel.all(JSON.stringify(fresh)) as MemoryRow[]) {
      if (row.status !== 'active' || !row.vector || row.embedder !== embedderId || inTail(row.id)) continue;
      if (filter.actor !== undefined && row.actor !== filter.actor) continue;
      if (filter.kinds?.length && !filter.kinds.includes(row.kind)) continue;
      hits.push({ row: { ...row, vector: null }, vector: fromBlob(row.vector) });
    }
    const vectors = hits.map((h) => h.vector);
    const sims = dots(q, vectors);
    hits.forEach((h, i) => out.push({ id: h.row.id, similarity: sims[i] as number, vector: h.vector, row: h.row }));
    if (out.length >= limit || seen.size >= index.size()) break;
  }
  // A filter so selective that the graph walk cannot reach enough matches: scan just the matching rows exactly.
  if (out.length < limit && seen.size < index.size() && (filter.actor !== undefined || filter.kinds?.length)) {
    return exactFiltered(db, query);
  }
  return out.sort((a, b) => b.similarity - a.similarity).slice(0, limit);
}

function exactFiltered(db: Db, { q, limit, filter, embedderId, inTail }: CandidateQuery): VectorCandidate[] {
  const where = ["status = 'active'", 'embedder = ?', 'vector IS NOT NULL'];
  const params: unknown[] = [embedderId];
  if (filter.actor !== undefined) {
    where.push('actor = ?');
    params.push(filter.actor);
  }
  if (filter.kinds?.length) {
    where.push(`kind IN (${filter.kinds.map(() => '?').join(', ')})`);
    params.push(...filter.kinds);
  }
  const out: VectorCandidate[] = [];
  for (const r of db
    .prepare(`SELECT id, vector FROM memories WHERE ${where.join(' AND ')}`)
    .iterate(...params) as IterableIterator<{ id: string; vector: Buffer }>) {
    if (inTail(r.id)) continue;
    const vector = fromBlob(r.vector);
    out.push({ id: r.id, similarity: dot(q, vector), vector });
  }
  return out.sort((a, b) => b.similarity - a.similarity).slice(0, limit);
}
