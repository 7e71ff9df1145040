/** JSONL export/import and re-embedding. Import applies batches of valid lines, each batch durable before progress. */
import { immediate, type Db } from '../store/db.js';
import type { ImportReport, ProgressFn } from './api.js';
import { vectorsFor, type MemoryContext } from './context.js';
import { UNEMBEDDED } from './writer.js';
import { fallbackRefusal, fallenBack } from './reembed.js';
import { exportLine, parseImportLine, type ImportRecord } from './jsonl.js';
import type { MemoryRow } from './rows.js';
import { planContexts, type Context } from './thread.js';
import { affectedBy, embedPageInContext, publishReembedded, refreshContexts } from './thread-refresh.js';
import { textHash, toBlob } from './vectors.js';
import { ulid } from '../ids.js';

export function* exportJsonl(db: Db): Iterable<string> {
  for (const r of db.prepare('SELECT * FROM memories ORDER BY created_at, id').iterate() as IterableIterator<MemoryRow>)
    yield exportLine(r);
}

/** What a batch's records get before its transaction: new memories' ids and contexts, every live record's vector. */
interface BatchPlan {
  ids: Map<ImportRecord, string>;
  contexts: Map<ImportRecord, Context>;
  vectors: Map<ImportRecord, Float32Array | null>;
}

async function planBatch(ctx: MemoryContext, recs: ImportRecord[]): Promise<BatchPlan> {
  // New memories get their ids and contexts first: a line's context is often the line before it (thread.ts).
  const now = ctx.clock.now();
  const fresh = recs.filter((r) => r.status !== 'forgotten' && !(r.id && ctx.rows.find(r.id)));
  const ids = new Map(fresh.map((r) => [r, r.id ?? ulid(r.createdAt ?? now)]));
  const contexts = new Map<ImportRecord, Context>();
  planContexts(
    ctx.threads,
    fresh.map((r) => ({
      id: ids.get(r) as string,
      kind: r.kind,
      source: r.source ?? { via: 'import' },
      createdAt: r.createdAt ?? now,
      label: Infinity,
      text: r.text,
    })),
  ).forEach((c, i) => contexts.set(fresh[i] as ImportRecord, c));
  const live = recs.filter((r) => r.status !== 'forgotten');
  const vectors = new Map<ImportRecord, Float32Array | null>();
  (
    await vectorsFor(
      ctx,
      live.map((r) => ({
        text: r.text,
        context: contexts.get(r)?.context ?? (r.id ? ctx.rows.find(r.id)?.context : '') ?? '',
      })),
    )
  ).forEach((v, i) => vectors.set(live[i] as ImportRecord, v));
  return { ids, contexts, vectors };
}

function insertRecord(ctx: MemoryContext, rec: ImportRecord, plan: BatchPlan): MemoryRow {
  const [row] = ctx.writer.insertRows([
    {
      text: rec.text,
      kind: rec.kind,
      actor: rec.actor ?? 'creator',
      source: rec.source ?? { via: 'import' },
      salience: rec.salience ?? 0.5,
      pinned: rec.pinned ?? false,
      status: rec.status,
      vector: plan.vectors.get(rec) ?? null,
      id: plan.ids.get(rec) ?? rec.id ?? ulid(rec.createdAt ?? ctx.clock.now()),
      createdAt: rec.createdAt ?? ctx.clock.now(),
      context: plan.contexts.get(rec)?.context ?? '',
      contextId: plan.contexts.get(rec)?.contextId ?? null,
    },
  ]);
  return row as MemoryRow;
}

/** The fields of an existing memory that a record changes (none: the line is skipped). */
function patchOf(ctx: MemoryContext, rec: ImportRecord, existing: MemoryRow, vector: Float32Array | null | undefined) {
  return {
    ...(rec.text !== existing.text
      ? {
          text: rec.text,
          text_hash: textHash(rec.text),
          vector: vector ? toBlob(vector) : null,
          embedder: vector ? ctx.embedder.id : UNEMBEDDED,
        }
      : {}),
    ...(rec.kind !== existing.kind ? { kind: rec.kind } : {}),
    ...(rec.salience !== undefined && rec.salience !== existing.salience ? { salience: rec.salience } : {}),
    ...(rec.pinned !== undefined && (rec.pinned ? 1 : 0) !== existing.pinned ? { pinned: rec.pinned ? 1 : 0 } : {}),
    ...(rec.status !== existing.status ? { status: rec.status } : {}),
  };
}

/** Applies one record inside the batch's transaction; returns the row it wrote, if any. */
function applyRecord(ctx: MemoryContext, rec: ImportRecord, plan: BatchPlan, report: ImportReport): MemoryRow | null {
  const existing = rec.id ? ctx.rows.find(rec.id) : undefined;
  if (!existing) {
    if (rec.status === 'forgotten') {
      report.skipped++;
      return null;
    }
    const row = insertRecord(ctx, rec, plan);
    report.imported++;
    return row;
  }
  // Forget wins (docs/sync.md): nothing brings a forgotten memory's text back. A line without an id whose content id
  // exists was imported before (or earlier in this file): importing it again changes nothing, not even an edit.
  if (existing.status === 'forgotten' || rec.contentId) {
    report.skipped++;
    return null;
  }
  if (rec.status === 'forgotten') {
    const row = ctx.writer.forgetRowIn(existing);
    report.updated++;
    return row;
  }
  const patch = patchOf(ctx, rec, existing, plan.vectors.get(rec));
  if (!Object.keys(patch).length) {
    report.skipped++;
    return null;
  }
  const revised = 'text' in patch || 'kind' in patch || 'salience' in patch;
  const row = ctx.writer.patchRow(existing, patch, revised ? 'import' : null);
  report.updated++;
  return row;
}

/** Applies one batch of parsed records in one transaction; returns what changed for the vector store. */
async function applyBatch(ctx: MemoryContext, recs: ImportRecord[], report: ImportReport): Promise<MemoryRow[]> {
  const plan = await planBatch(ctx, recs);
  return immediate(ctx.db, () => recs.flatMap((rec) => applyRecord(ctx, rec, plan, report) ?? []));
}

export async function importJsonl(
  ctx: MemoryContext,
  lines: AsyncIterable<string> | Iterable<string>,
  onProgress?: ProgressFn,
): Promise<ImportReport> {
  const report: ImportReport = { imported: 0, updated: 0, skipped: 0, errors: [], warnings: [] };
  const total = Array.isArray(lines) ? lines.length : undefined;
  const size = ctx.config['memory.batch.size'];
  let pending: ImportRecord[] = [];
  const commit = async (): Promise<void> => {
    if (!pending.length) return;
    const touched = await applyBatch(ctx, pending, report);
    pending = [];
    await ctx.store.mirror(touched);
    await refreshContexts(ctx, affectedBy(ctx, touched));
    ctx.reembedder?.kick();
    ctx.changed(
      'add',
      touched.map((r) => r.id),
    );
    // Reported only now that the batch is committed: scripts may rely on it (acknowledged = durable).
    onProgress?.(report.imported + report.updated + report.skipped, total);
  };
  let n = 0;
  for await (const line of lines) {
    n++;
    try {
      const parsed = parseImportLine(line);
      if (parsed) pending.push(parsed.record);
      if (parsed?.ignored.length)
        report.warnings.push({
          line: n,
          message: `ignored unknown field${parsed.ignored.length > 1 ? 's' : ''} ${parsed.ignored.map((f) => JSON.stringify(f)).join(', ')}`,
        });
    } catch (err) {
      report.errors.push({ line: n, message: (err as Error).message });
    }
    if (pending.length >= size) await commit();
  }
  await commit();
  await ctx.store.flush();
  return report;
}

/** Re-embeds rows (all, or only those with another embedder) in batches; vectors are derived, so not journaled. */
async function reembed(
  ctx: MemoryContext,
  where: string,
  params: unknown[],
  onProgress?: ProgressFn,
  signal?: AbortSignal,
): Promise<number> {
  const total = ctx.db
    .prepare(`SELECT count(*) FROM memories WHERE ${where}`)
    .pluck()
    .get(...params) as number;
  const page = ctx.db.prepare(`SELECT * FROM memories WHERE ${where} AND label > ? ORDER BY label LIMIT 500`);
  const upd = ctx.db.prepare(
    'UPDATE memories SET vector = ?, embedder = ?, text_hash = ?, change_seq = ?, context = ?, context_id = ? WHERE id = ?',
  );
  let done = 0;
  let after = -1;
  while (!signal?.aborted) {
    const rows = page.all(...params, after) as MemoryRow[];
    if (!rows.length) break;
    after = (rows.at(-1) as MemoryRow).label;
    const embedded = await embedPageInContext(ctx, rows);
    if (fallenBack(ctx.embedder)) throw fallbackRefusal(ctx.embedder);
    const fresh = immediate(ctx.db, () =>
      rows.map((r, i) => {
        const row = { ...embedded.stored(r, i), text_hash: textHash(r.text) };
        upd.run(row.vector, row.embedder, row.text_hash, row.change_seq, row.context, row.context_id, row.id);
        return row;
      }),
    );
    await publishReembedded(ctx, fresh);
    done += rows.length;
    onProgress?.(done, total);
  }
  return done;
}

export async function reindex(
  ctx: MemoryContext,
  onProgress?: ProgressFn,
  staleOnly = false,
  signal?: AbortSignal,
): Promise<{ count: number; embedder: string }> {
  if (fallenBack(ctx.embedder)) throw fallbackRefusal(ctx.embedder);
  // Stale only: page by page through the re-embedder, so a killed run resumes where it stopped.
  const count =
    staleOnly && ctx.reembedder
      ? await ctx.reembedder.run({ ...(onProgress ? { onProgress } : {}), ...(signal ? { signal } : {}) })
      : await reembed(
          ctx,
          staleOnly ? "status != 'forgotten' AND embedder != ?" : "status != 'forgotten'",
          staleOnly ? [ctx.embedder.id] : [],
          onProgress,
          signal,
        );
  if (fallenBack(ctx.embedder)) throw fallbackRefusal(ctx.embedder);
  await ctx.store.flush();
  return { count, embedder: ctx.embedder.id };
}

/**
 * Switching to the hash embedder re-indexes at open (it is cheap); the semantic model re-embeds in the background
 * (reembed.ts) and a remote one waits for `reindex`.
 */
export async function reindexStale(ctx: MemoryContext): Promise<void> {
  if (!ctx.embedder.cheap) return;
  // The common case, nothing to do, answered from the embedder index (two range scans) without touching the table.
  const other = ctx.db
    .prepare(
      "SELECT 1 FROM memories INDEXED BY memories_embedder WHERE (embedder < ? OR embedder > ?) AND status != 'forgotten' LIMIT 1",
    )
    .pluck();
  if (other.get(ctx.embedder.id, ctx.embedder.id) === undefined) return;
  await reembed(ctx, "status != 'forgotten' AND embedder != ?", [ctx.embedder.id]);
}
