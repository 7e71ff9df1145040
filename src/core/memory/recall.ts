/**
 * Recall (docs/domain.md; the rule and the measurements behind it in docs/memory-recall.md): embed, fetch
 * candidates·k from the store and from the full-text index with filters, fuse the two rankings, score, then pick the
 * best k leaving out near-duplicates (MMR only when memory.recall.lambda < 1).
 */
import type { MemoryRow } from './rows.js';
import { toMemory } from './rows.js';
import { fuseRanks, mmr, scoreParts } from './scoring.js';
import type { MemoryContext } from './context.js';
import { dot } from './vectors.js';
import type { RecallQuery, RecalledMemory } from './types.js';

/** Stands in for a missing vector in MMR: similar to nothing, so never taken for a near-duplicate. */
const NO_VECTOR = new Float32Array(0);

export async function recall(ctx: MemoryContext, q: RecallQuery): Promise<RecalledMemory[]> {
  const k = q.k ?? ctx.config['memory.recall.k'];
  if (!q.text.trim() || k <= 0) return [];
  const [qv] = await ctx.embedder.embed([q.text]);
  const filter = {
    ...(q.actor !== undefined ? { actor: q.actor } : {}),
    ...(q.kinds?.length ? { kinds: q.kinds } : {}),
  };
  const limit = k * ctx.config['memory.recall.candidates'];
  const found = await ctx.store.search(qv as Float32Array, { limit, filter });
  // Hybrid: the union of both candidate lists, each candidate with its cosine and its BM25 (normalised, 0 if no hit).
  const w = ctx.lexical?.available ? ctx.config['memory.recall.lexicalWeight'] : 0;
  const merged = new Map<string, { cosine: number; lexical: number; vector: Float32Array }>();
  for (const c of found) merged.set(c.id, { cosine: c.similarity, lexical: 0, vector: c.vector });
  if (w > 0) {
    for (const h of ctx.lexical!.search(q.text, limit, filter)) {
      const m = merged.get(h.id);
      if (m) m.lexical = h.lexical;
      // Without a vector of the query's embedder (not embedded yet), no cosine: the words alone rank it.
      else if (h.vector)
        merged.set(h.id, { cosine: dot(qv as Float32Array, h.vector), lexical: h.lexical, vector: h.vector });
      else merged.set(h.id, { cosine: 0, lexical: h.lexical, vector: NO_VECTOR });
    }
  }
  const now = ctx.clock.now();
  const live: { row: MemoryRow; cosine: number; lexical: number; vector: Float32Array }[] = [];
  const rows = ctx.rows.many([...merged.keys()]);
  for (const [id, c] of merged) {
    const row = rows.get(id);
    // The store may lag a concurrent forget or archive; SQLite has the last word.
    if (row && row.status === 'active') live.push({ row, ...c });
  }
  // Vectors only: similarity is the cosine. Hybrid: the two rankings fused (scoring.ts, fuseRanks).
  const sims =
    w > 0
      ? fuseRanks(
          live.map((c) => c.cosine),
          live.map((c) => c.lexical),
          w,
        )
      : live.map((c) => c.cosine);
  const cands = live.map((c, i) => ({
    row: c.row,
    vector: c.vector,
    score: {
      // A pinned memory counts as fully salient: it wins ties (docs/memory-recall.md).
      ...scoreParts(sims[i] as number, c.row.created_at, c.row.pinned ? 1 : c.row.salience, now),
      ...(w > 0 ? { cosine: c.cosine, lexical: c.lexical } : {}),
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
  return out;
}
