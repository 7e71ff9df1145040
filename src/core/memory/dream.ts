/**
 * The dream cycle (docs/domain.md, "Consolidation"): merge near-duplicates (cosine ≥ memory.dream.mergeThreshold: keep
 * the most salient, archive the others linked to it), lower the salience of old unrecalled memories ("faded"), and
 * archive those whose salience falls below a floor ("decayed"), optionally condensing those first into summaries
 * written by the model (dream-summary.ts). Pinned memories are left alone. It never deletes.
 */
import { DAY_MS } from '../clock.js';
import { ProgenyError } from '../errors.js';
import { immediate } from '../store/db.js';
import type { DreamOptions, DreamReport } from './api.js';
import { groupForSummary, summariseGroups, type SummaryOutcome } from './dream-summary.js';
import type { MemoryContext } from './context.js';
import { toMemory, type MemoryRow } from './rows.js';
import type { Memory } from './types.js';
import { fromBlob } from './vectors.js';
export { type DreamOptions } from './api.js';

export const FADE_FACTOR = 0.8;
export const ARCHIVE_BELOW = 0.1;

/**
 * Merges near-duplicates: each memory, most salient first, takes in the less salient ones at cosine ≥ the threshold.
 * Returns archived id → the id it merged into.
 */
async function findDuplicates(ctx: MemoryContext, rows: MemoryRow[], opts: DreamOptions, report: DreamReport) {
  const threshold = ctx.config['memory.dream.mergeThreshold'];
  const byId = new Map(rows.map((r) => [r.id, r]));
  const rank = new Map(rows.map((r, i) => [r.id, i]));
  const archived = new Map<string, string>();
  let done = 0;
  for (const keep of rows) {
    opts.onProgress?.(++done, rows.length);
    // Only vectors of the current embedder are compared (a home being re-embedded holds two kinds).
    if (archived.has(keep.id) || keep.embedder !== ctx.embedder.id) continue;
    const near = await ctx.store.search(fromBlob(keep.vector as Buffer), { limit: 16, filter: { actor: keep.actor } });
    const dupes = near.filter(
      (c) => c.id !== keep.id && c.similarity >= threshold && !archived.has(c.id) && byId.get(c.id)?.pinned === 0,
    );
    // The most salient comes first in `rows`, so everything found here is at most as salient as `keep`.
    const group = dupes.map((c) => c.id).filter((id) => (rank.get(id) as number) > (rank.get(keep.id) as number));
    if (!group.length) continue;
    for (const id of group) archived.set(id, keep.id);
    report.merged.push({ kept: keep.id, archived: group });
  }
  return archived;
}

type Fade = { row: MemoryRow; salience: number };

/** Old memories nobody recalled lately fade (their salience lowered); pinned and merged ones are left alone. */
function fadesOf(ctx: MemoryContext, rows: MemoryRow[], archived: Map<string, string>): Fade[] {
  const staleBefore = ctx.clock.now() - ctx.config['memory.dream.staleDays'] * DAY_MS;
  const fades: Fade[] = [];
  for (const r of rows) {
    if (archived.has(r.id) || r.pinned || r.created_at >= staleBefore || (r.last_recalled_at ?? 0) >= staleBefore)
      continue;
    fades.push({ row: r, salience: r.salience * FADE_FACTOR });
  }
  return fades;
}

/** Writes the summaries, the merges and the fades in one transaction; returns the rows written and what each summary condensed. */
function writeDream(
  ctx: MemoryContext,
  done: SummaryOutcome['done'],
  vectors: Float32Array[],
  merges: { byId: Map<string, MemoryRow>; archived: Map<string, string> },
  fades: Fade[],
): { touched: MemoryRow[]; summaryOf: Map<string, string> } {
  const summaryOf = new Map<string, string>();
  const touched = immediate(ctx.db, () => {
    // A summary is a new memory dated like the newest it condenses, so it ages (and may one day be condensed) in turn.
    const summaries = ctx.writer.insertRows(
      done.map((d, i) => ({
        text: d.text,
        kind: 'summary' as const,
        actor: d.group.actor,
        source: { via: 'dream' },
        salience: 0.5,
        pinned: false,
        createdAt: Math.max(...d.group.rows.map((r) => r.created_at)),
        vector: vectors[i] as Float32Array,
      })),
    );
    summaries.forEach((s, i) => done[i]!.group.rows.forEach((r) => summaryOf.set(r.id, s.id)));
    return [
      ...summaries,
      ...[...merges.archived].map(([id, into]) =>
        ctx.writer.patchRow(merges.byId.get(id) as MemoryRow, { status: 'archived', merged_into: into }, null),
      ),
      ...fades.map((f) =>
        ctx.writer.patchRow(
          f.row,
          {
            salience: f.salience,
            ...(f.salience < ARCHIVE_BELOW
              ? { status: 'archived' as const, merged_into: summaryOf.get(f.row.id) ?? null }
              : {}),
          },
          null,
        ),
      ),
    ];
  });
  return { touched, summaryOf };
}

export async function dream(ctx: MemoryContext, opts: DreamOptions): Promise<DreamReport> {
  const dryRun = opts.dryRun === true;
  const report: DreamReport = { decayed: 0, merged: [], faded: 0, summarised: 0, summaries: 0, dryRun };
  const rows = ctx.db
    .prepare(
      "SELECT * FROM memories WHERE status = 'active' AND vector IS NOT NULL ORDER BY pinned DESC, salience DESC, created_at DESC",
    )
    .all() as MemoryRow[];
  const archived = await findDuplicates(ctx, rows, opts, report);
  const fades = fadesOf(ctx, rows, archived);
  report.faded = fades.length;
  const decaying = fades.filter((f) => f.salience < ARCHIVE_BELOW);
  report.decayed = decaying.length;
  const groups = opts.summarise ? groupForSummary(decaying.map((f) => f.row)) : [];
  if (dryRun) {
    report.summaries = groups.length;
    report.summarised = groups.reduce((n, g) => n + g.rows.length, 0);
    return report;
  }

  const outcome: SummaryOutcome = opts.summarise
    ? await summariseGroups(groups, opts.summarise, opts.signal)
    : { done: [] };
  if (outcome.error) report.summaryError = outcome.error;
  const vectors = outcome.done.length ? await ctx.embedder.embed(outcome.done.map((d) => d.text)) : [];
  const byId = new Map(rows.map((r) => [r.id, r]));
  const { touched, summaryOf } = writeDream(ctx, outcome.done, vectors, { byId, archived }, fades);
  report.summaries = outcome.done.length;
  report.summarised = summaryOf.size;
  await ctx.store.mirror(touched);
  if (report.summaries)
    ctx.changed(
      'add',
      touched.slice(0, report.summaries).map((r) => r.id),
    );
  ctx.changed(
    'archive',
    touched.filter((r) => r.status === 'archived').map((r) => r.id),
  );
  return report;
}

/** Brings an archived memory back; it counts as recalled now so the next dream does not fade it straight away. */
export async function restore(ctx: MemoryContext, id: string): Promise<Memory> {
  const before = ctx.rows.resolve(id);
  if (before.status !== 'archived') {
    throw new ProgenyError('NOT_ARCHIVED', `memory ${before.id} is ${before.status}, not archived`, {
      hint:
        before.status === 'forgotten'
          ? 'a forgotten memory cannot come back'
          : 'only memories archived by dream can be restored',
    });
  }
  const after = ctx.writer.patch(
    before,
    { status: 'active', merged_into: null, salience: Math.max(before.salience, ARCHIVE_BELOW) },
    null,
  );
  ctx.writer.noteRecalled([after.id]);
  await ctx.store.mirror([after]);
  ctx.changed('restore', [after.id]);
  return toMemory(after);
}
