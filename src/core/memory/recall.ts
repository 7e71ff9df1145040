/** Recall (domain.md): embed, fetch candidates·k from the store with filters, score, then MMR to pick k. */
import type { MemoryRow } from './rows.js';
import { toMemory } from './rows.js';
import { mmr, scoreParts } from './scoring.js';
import type { MemoryContext } from './context.js';
import type { RecallQuery, RecalledMemory } from './types.js';

export async function recall(ctx: MemoryContext, q: RecallQuery): Promise<RecalledMemory[]> {
  const k = q.k ?? ctx.config['memory.recall.k'];
  if (!q.text.trim() || k <= 0) return [];
  const [qv] = await ctx.embedder.embed([q.text]);
  const filter = { ...(q.actor !== undefined ? { actor: q.actor } : {}), ...(q.kinds?.length ? { kinds: q.kinds } : {}) };
  const found = await ctx.store.search(qv as Float32Array, { limit: k * ctx.config['memory.recall.candidates'], filter });
  const now = ctx.clock.now();
  const cands: { row: MemoryRow; vector: Float32Array; score: ReturnType<typeof scoreParts> }[] = [];
  for (const c of found) {
    const row = ctx.rows.find(c.id);
    // The store may lag a concurrent forget or archive; SQLite has the last word.
    if (!row || row.status !== 'active') continue;
    cands.push({ row, vector: c.vector, score: scoreParts(c.similarity, row.created_at, row.salience, now) });
  }
  const picks = mmr(cands.map((c) => ({ score: c.score.score, vector: c.vector })), k, ctx.config['memory.recall.lambda']);
  const out = picks.map(({ index, mmr: m }, rank) => {
    const c = cands[index]!;
    return { memory: toMemory(c.row), score: { ...c.score, mmr: m }, rank: rank + 1 };
  });
  if (!q.peek) ctx.writer.noteRecalled(out.map((r) => r.memory.id));
  return out;
}
