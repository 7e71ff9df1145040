/** JSONL export/import and re-embedding. Import applies batches of valid lines, each batch durable before progress. */
import { immediate, nextCounter, type Db } from '../store/db.js';
import type { ImportReport, ProgressFn } from './api.js';
import { vectorsFor, type MemoryContext } from './context.js';
import { UNEMBEDDED } from './writer.js';
import { fallbackRefusal, fallenBack } from './reembed.js';
import { exportLine, parseImportLine, type ImportRecord } from './jsonl.js';
import type { MemoryRow } from './rows.js';
import { textHash, toBlob } from './vectors.js';

export function* exportJsonl(db: Db): Iterable<string> {
  for (const r of db.prepare('SELECT * FROM memories ORDER BY created_at, id').iterate() as IterableIterator<MemoryRow>)
    yield exportLine(r);
}

/** Applies one batch of parsed records in one transaction; returns what changed for the vector store. */
async function applyBatch(ctx: MemoryContext, recs: ImportRecord[], report: ImportReport): Promise<MemoryRow[]> {
  const live = recs.filter((r) => r.status !== 'forgotten');
  const vectors = new Map<ImportRecord, Float32Array | null>();
  (
    await vectorsFor(
      ctx,
      live.map((r) => r.text),
    )
  ).forEach((v, i) => vectors.set(live[i] as ImportRecord, v));
  return immediate(ctx.db, () => {
    const touched: MemoryRow[] = [];
    for (const rec of recs) {
      const existing = rec.id ? ctx.rows.find(rec.id) : undefined;
      if (!existing) {
        if (rec.status === 'forgotten') {
          report.skipped++;
          continue;
        }
        const [row] = ctx.writer.insertRows([
          {
            text: rec.text,
            kind: rec.kind,
            actor: rec.actor ?? 'creator',
            source: rec.source ?? { via: 'import' },
            salience: rec.salience ?? 0.5,
            pinned: rec.pinned ?? false,
            status: rec.status,
            vector: vectors.get(rec) ?? null,
            ...(rec.id ? { id: rec.id } : {}),
            ...(rec.createdAt !== undefined ? { createdAt: rec.createdAt } : {}),
          },
        ]);
        touched.push(row as MemoryRow);
        report.imported++;
        continue;
      }
      // Forget wins (docs/sync.md): nothing brings a forgotten memory's text back. A line without an id whose content id
      // exists was imported before (or earlier in this file): importing it again changes nothing, not even an edit.
      if (existing.status === 'forgotten' || rec.contentId) {
        report.skipped++;
        continue;
      }
      if (rec.status === 'forgotten') {
        ctx.db.prepare('DELETE FROM memory_revisions WHERE memory_id = ?').run(existing.id);
        touched.push(
          ctx.writer.patchRow(
            existing,
            { text: '', text_hash: '', vector: null, status: 'forgotten', merged_into: null },
            null,
          ),
        );
        report.updated++;
        continue;
      }
      const patch = {
        ...(rec.text !== existing.text
          ? {
              text: rec.text,
              text_hash: textHash(rec.text),
              vector: vectors.get(rec) ? toBlob(vectors.get(rec) as Float32Array) : null,
              embedder: vectors.get(rec) ? ctx.embedder.id : UNEMBEDDED,
            }
          : {}),
        ...(rec.kind !== existing.kind ? { kind: rec.kind } : {}),
        ...(rec.salience !== undefined && rec.salience !== existing.salience ? { salience: rec.salience } : {}),
        ...(rec.pinned !== undefined && (rec.pinned ? 1 : 0) !== existing.pinned ? { pinned: rec.pinned ? 1 : 0 } : {}),
        ...(rec.status !== existing.status ? { status: rec.status } : {}),
      };
      if (!Object.keys(patch).length) {
        report.skipped++;
        continue;
      }
      const revised = 'text' in patch || 'kind' in patch || 'salience' in patch;
      touched.push(ctx.writer.patchRow(existing, patch, revised ? 'import' : null));
      report.updated++;
    }
    return touched;
  });
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
async function reembed(ctx: MemoryContext, where: string, params: unknown[], onProgress?: ProgressFn): Promise<number> {
  const total = ctx.db
    .prepare(`SELECT count(*) FROM memories WHERE ${where}`)
    .pluck()
    .get(...params) as number;
  const page = ctx.db.prepare(`SELECT * FROM memories WHERE ${where} AND label > ? ORDER BY label LIMIT 500`);
  const upd = ctx.db.prepare(
    'UPDATE memories SET vector = ?, embedder = ?, text_hash = ?, change_seq = ? WHERE id = ?',
  );
  let done = 0;
  let after = -1;
  for (;;) {
    const rows = page.all(...params, after) as MemoryRow[];
    if (!rows.length) break;
    after = (rows.at(-1) as MemoryRow).label;
    const vecs = await ctx.embedder.embed(rows.map((r) => r.text));
    if (fallenBack(ctx.embedder)) throw fallbackRefusal(ctx.embedder);
    const fresh = immediate(ctx.db, () =>
      rows.map((r, i) => {
        const row = {
          ...r,
          vector: toBlob(vecs[i] as Float32Array),
          embedder: ctx.embedder.id,
          text_hash: textHash(r.text),
          change_seq: nextCounter(ctx.db, 'memory_seq'),
        };
        upd.run(row.vector, row.embedder, row.text_hash, row.change_seq, row.id);
        return row;
      }),
    );
    await ctx.store.mirror(fresh);
    done += rows.length;
    onProgress?.(done, total);
  }
  return done;
}

export async function reindex(
  ctx: MemoryContext,
  onProgress?: ProgressFn,
  staleOnly = false,
): Promise<{ count: number; embedder: string }> {
  if (fallenBack(ctx.embedder)) throw fallbackRefusal(ctx.embedder);
  // Stale only: page by page through the re-embedder, so a killed run resumes where it stopped.
  const count =
    staleOnly && ctx.reembedder
      ? await ctx.reembedder.run(onProgress ? { onProgress } : {})
      : await reembed(
          ctx,
          staleOnly ? "status != 'forgotten' AND embedder != ?" : "status != 'forgotten'",
          staleOnly ? [ctx.embedder.id] : [],
          onProgress,
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
