/**
 * Recall (docs/domain.md; the rule and the measurements behind it in docs/memory-recall.md): embed, fetch
 * candidates·k from the store, from the full-text index and, during an embedder switch, from the vectors of the
 * former embedder (old-vectors.ts), with filters; fuse the rankings, score, then pick the best k leaving out
 * near-duplicates (MMR only when memory.recall.lambda < 1).
 */
import type { MemoryRow } from './rows.js';
import { toMemory } from './rows.js';
import { fuseChannels, mmr, oldVectorWeight, ranksOf, scoreParts, type RankedChannel } from './scoring.js';
import type { MemoryContext } from './context.js';
import { dots } from './vectors.js';
import { embedderReads } from './embedder-reads.js';
import type { RecallAnswer, RecallQuery, VectorFilter } from './types.js';

/** Stands in for a missing vector in MMR: similar to nothing, so never taken for a near-duplicate. */
const NO_VECTOR = new Float32Array(0);

interface Candidate {
  /** Cosine to the query by the current embedder; undefined while the memory has no vector of it. */
  cosine?: number;
  /** Cosine by the embedder that made its old vector (a memory not re-embedded yet), and that embedder's id. */
  old?: { cosine: number; embedder: string };
  lexical: number;
  /** The current embedder's vector (for near-duplicates), NO_VECTOR without one. */
  vector: Float32Array;
  /** The row, when the store or the full-text search read it with the hit (VectorCandidate.row); else recall reads it. */
  row?: MemoryRow;
}

/** The union of the channels' candidates: vector search, full-text hits and the former embedders' vectors. */
async function candidates(
  ctx: MemoryContext,
  text: string,
  /** Null when the embedder cannot read the query (embedder-reads.ts): the vector channel is left out. */
  qv: Float32Array | null,
  limit: number,
  filter: VectorFilter,
  lexicalWeight: number,
): Promise<{ merged: Map<string, Candidate>; done: number; share: Map<string, number> }> {
  const merged = new Map<string, Candidate>();
  for (const c of qv ? await ctx.store.search(qv, { limit, filter }) : [])
    merged.set(c.id, { cosine: c.similarity, lexical: 0, vector: c.vector, ...(c.row ? { row: c.row } : {}) });
  if (lexicalWeight > 0) {
    const hits = ctx.lexical!.search(text, limit, filter);
    // The cosines of the hits the vectors did not find, in one call (vectors.ts dots()).
    const unseen = hits.filter((h) => h.vector && !merged.has(h.id));
    const vectors = unseen.map((h) => h.vector as Float32Array);
    const cosines = qv ? dots(qv, vectors) : undefined;
    const cosineOf = new Map(unseen.map((h, i) => [h.id, cosines?.[i]]));
    for (const h of hits) {
      const m = merged.get(h.id);
      if (m) m.lexical = h.lexical;
      // Without a vector of the query's embedder (not embedded yet), no cosine: the other channels rank it.
      else if (h.vector) {
        const cosine = cosineOf.get(h.id);
        merged.set(h.id, {
          ...(cosine !== undefined ? { cosine } : {}),
          lexical: h.lexical,
          vector: h.vector,
          row: h.row,
        });
      } else merged.set(h.id, { lexical: h.lexical, vector: NO_VECTOR, row: h.row });
    }
  }
  const old = await ctx.oldVectors?.search(text, limit, filter);
  for (const h of old?.hits ?? []) {
    const m = merged.get(h.id);
    // A hit the store already had was re-embedded meanwhile: its current vector speaks for it.
    if (m?.cosine !== undefined) continue;
    if (m) m.old = { cosine: h.cosine, embedder: h.embedder };
    else merged.set(h.id, { old: { cosine: h.cosine, embedder: h.embedder }, lexical: 0, vector: NO_VECTOR });
  }
  return { merged, done: old?.done ?? 1, share: old?.share ?? new Map<string, number>() };
}

/**
 * Similarity of each candidate: its cosine when only the current vectors rank them; otherwise the rankings fused
 * (scoring.ts, fuseChannels): the current vectors, the words, and one ranking per former embedder, each vector
 * ranking read as ranks among all memories by the share of them it covers (docs/memory-recall.md).
 */
function similarities(
  live: (Candidate & { row: MemoryRow })[],
  w: number,
  done: number,
  share: Map<string, number>,
): number[] {
  const olds = [...new Set(live.flatMap((c) => (c.old ? [c.old.embedder] : [])))];
  if (w <= 0 && !olds.length && live.every((c) => c.cosine !== undefined)) return live.map((c) => c.cosine as number);
  const words = live.map((c) => (c.lexical > 0 ? c.lexical : undefined));
  // A memory with no vector at all (written moments ago, its vector still to come) is judged by its words in the
  // vectors' place too: else its words' weight alone leaves it below every embedded memory, holder of the words or
  // not. (One with a former embedder's vector is left to that ranking, even when it is not among its candidates.)
  const byWords = ranksOf(words);
  const unvectored = (c: Candidate & { row: MemoryRow }) => c.row.embedder === '' && c.cosine === undefined && !c.old;
  const channels: RankedChannel[] = [
    {
      weight: 1 - w,
      scores: live.map((c) => c.cosine),
      coverage: done,
      standIn: live.map((c, i) => (unvectored(c) ? byWords[i] : undefined)),
    },
    { weight: w, scores: words },
    ...olds.map((e) => ({
      weight: oldVectorWeight(w, done),
      coverage: share.get(e) ?? 1 - done,
      scores: live.map((c) => (c.old?.embedder === e ? c.old.cosine : undefined)),
    })),
  ];
  return fuseChannels(channels);
}

export async function recall(ctx: MemoryContext, q: RecallQuery): Promise<RecallAnswer> {
  const k = q.k ?? ctx.config['memory.recall.k'];
  if (!q.text.trim() || k <= 0) return { results: [], recall: { vectors: 'none', reason: 'nothing to recall' } };
  const lexical = ctx.lexical?.available === true;
  // Null when the query is not embedded (its script; the embedder failed): then its words decide (query-vector.ts).
  const { vector: qv, recall: info, failed } = await ctx.queryVector!(q.text, lexical);
  const readable = qv !== null;
  // Memories written moments ago get their vectors first, unless the embedder just failed (it would fail again).
  if (!failed) await ctx.reembedder?.catchUp(ctx.embedder.remote ? ctx.config['embedder.queryTimeoutMs'] : undefined);
  const filter = {
    ...(q.actor !== undefined ? { actor: q.actor } : {}),
    ...(q.kinds?.length ? { kinds: q.kinds } : {}),
  };
  const limit = k * ctx.config['memory.recall.candidates'];
  const w = !lexical ? 0 : readable ? ctx.config['memory.recall.lexicalWeight'] : 1;
  const { merged, done, share } = await candidates(ctx, q.text, qv, limit, filter, w);
  const now = ctx.clock.now();
  const live: (Candidate & { row: MemoryRow })[] = [];
  const unread = [...merged].filter(([, c]) => !c.row).map(([id]) => id);
  const rows = unread.length ? ctx.rows.many(unread) : new Map<string, MemoryRow>();
  for (const [id, c] of merged) {
    const row = c.row ?? rows.get(id);
    // The store may lag a concurrent forget or archive; SQLite has the last word.
    if (!row || row.status !== 'active') continue;
    // A vector of a text the model cannot read ranks nothing and makes no near-duplicate (embedder-reads.ts).
    if (!embedderReads(ctx.embedder.id, row.text)) {
      delete c.cosine;
      c.vector = NO_VECTOR;
    }
    live.push({ ...c, row });
  }
  const sims = similarities(live, w, done, share);
  const cands = live.map((c, i) => ({
    row: c.row,
    vector: c.vector,
    score: {
      // A pinned memory counts as fully salient: it wins ties (docs/memory-recall.md).
      ...scoreParts(sims[i] as number, c.row.created_at, c.row.pinned ? 1 : c.row.salience, now),
      // No cosine when the memory has no vector the query could be compared with (or the query none).
      ...(w > 0 ? { ...(c.cosine !== undefined ? { cosine: c.cosine } : {}), lexical: c.lexical } : {}),
      ...(c.old ? { oldCosine: c.old.cosine } : {}),
    },
  }));
  const picks = mmr(
    cands.map((c) => ({ score: c.score.score, vector: c.vector })),
    k,
    ctx.config['memory.recall.lambda'],
    // 1 keeps them all (identical vectors may round to a cosine just above or below 1).
    ctx.config['memory.recall.duplicate'] >= 1 ? Infinity : ctx.config['memory.recall.duplicate'],
  );
  const out = picks.map(({ index, mmr: m }, rank) => {
    const c = cands[index]!;
    return { memory: toMemory(c.row), score: { ...c.score, mmr: m }, rank: rank + 1 };
  });
  if (!q.peek) ctx.writer.noteRecalled(out.map((r) => r.memory.id));
  return { results: out, recall: info };
}
