import type { CommandContext } from '../context.js';
import { readLines } from '../args.js';
import type { CommandResult } from '../output.js';
import { usageError } from '../../core/errors.js';
import { warnOnEmbedderFallback } from '../embedder-warning.js';
import { existsSync } from 'node:fs';

export async function run(ctx: CommandContext, args: string[]): Promise<CommandResult> {
  const file = args[0] as string;
  if (file !== '-' && !existsSync(file)) throw usageError(`no such file: ${file}`);
  const engine = await ctx.engine({ create: true });
  warnOnEmbedderFallback(ctx, engine);
  const report = await engine.memory.importJsonl(readLines(file, ctx.stdin), {
    onProgress: (done, total) => {
      ctx.out.progress('importing', done, total);
      // With --json, each durable batch is reported on stderr as NDJSON, so scripts know what is safely stored.
      if (ctx.globals.json) ctx.out.progressEvent({ acknowledged: done, ...(total ? { total } : {}) });
    },
  });
  // Every line is durable now; the semantic vectors follow (a kill here loses none: the next run or `serve` resumes).
  // Ctrl+C stops the embedding, not the import: the report below is still true.
  await engine.memory
    .embedPending({
      signal: ctx.signal,
      onProgress: (done, total) => {
        ctx.out.progress('embedding', done, total);
        if (ctx.globals.json) ctx.out.progressEvent({ embedded: done, ...(total ? { total } : {}) });
      },
    })
    .catch((err: unknown) => {
      if (!ctx.signal.aborted) throw err;
    });
  if (ctx.signal.aborted)
    ctx.out.notice(
      `embedding stopped: ${engine.memory.pendingVectors().new} memories wait for a vector (found by their words meanwhile; \`progeny memory reindex\` or \`progeny serve\` embeds them)`,
    );
  if (!ctx.globals.json) {
    for (const w of report.warnings.slice(0, 20)) ctx.out.warn(`line ${w.line}: ${w.message}`);
    if (report.warnings.length > 20) ctx.out.warn(`… and ${report.warnings.length - 20} more warnings`);
  }
  const lines = [`Imported ${report.imported}, updated ${report.updated}, skipped ${report.skipped} (already there).`];
  for (const e of report.errors.slice(0, 20)) lines.push(`  line ${e.line}: ${e.message}`);
  if (report.errors.length > 20) lines.push(`  … and ${report.errors.length - 20} more`);
  return {
    data: report,
    view: { kind: 'text', text: lines.join('\n') },
    ...(report.errors.length ? { exitCode: 2 } : {}),
  };
}
