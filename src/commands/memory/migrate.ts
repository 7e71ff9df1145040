/**
 * `progeny memory migrate --to qdrant|embedded`: copies every memory's vector from the database into the other
 * backend, with progress, resumable after an interruption, and verified (counts and a sample of recalls).
 */
import type { CommandContext } from '../context.js';
import type { CommandResult } from '../output.js';

export interface MigrateOptions {
  to: 'qdrant' | 'embedded';
  batch: number;
  sample: number;
  restart?: boolean;
}

export async function run(ctx: CommandContext, _args: string[], opts: MigrateOptions): Promise<CommandResult> {
  const { to, batch: batchSize, sample } = opts;
  const [{ loadConfig }, { openDatabase }, { migrateMemories }, { openMigrationTarget, storedEmbedder }] =
    await Promise.all([
      import('../../core/config/load.js'),
      import('../../core/store/db.js'),
      import('../../core/memory/backend-migrate.js'),
      import('../../core/memory/migrate-target.js'),
    ]);
  const { config } = loadConfig({ path: ctx.paths.config, env: ctx.env });
  // The database directly, not the engine: the engine would open the configured backend, which may be the broken
  // one the user is migrating away from.
  const db = openDatabase(ctx.paths.db);
  try {
    const embedder = storedEmbedder(db);
    if (!embedder) {
      const data = { to, total: 0, copied: 0, verified: true };
      return { data, view: { kind: 'text', text: 'No memories with vectors to migrate.' } };
    }
    const target = await openMigrationTarget(to, { db, paths: ctx.paths, config, embedder });
    try {
      const report = await migrateMemories({
        db,
        target: target.store,
        to,
        batchSize,
        sample,
        signal: ctx.signal,
        ...(opts.restart ? { restart: true } : {}),
        ...(target.healthy ? { healthy: target.healthy } : {}),
        onProgress: (done, total) => {
          ctx.out.progress(`migrating to ${to}`, done, total);
          if (ctx.globals.json) ctx.out.progressEvent({ acknowledged: done, total });
        },
      });
      const next = config['memory.backend'] === to ? null : `progeny config set memory.backend ${to}`;
      const lines = [
        `Copied ${report.copied} memories to ${to}${report.resumedFrom ? ` (resumed after ${report.resumedFrom})` : ''} in ${(report.elapsedMs / 1000).toFixed(1)} s; removed ${report.removed} inactive points.`,
        `Counts: ${to} holds ${report.targetCount}, the database has ${report.total} active memories${report.countsMatch ? '' : ' — MISMATCH'}.`,
        `Recall check: ${report.sample.checked} sampled memories, recall@${report.sample.k} against exact search ${report.sample.recallAtK.toFixed(2)}.`,
        report.verified
          ? next
            ? `Verified. Switch with: ${next}`
            : 'Verified.'
          : 'NOT verified: run it again with --restart, or `progeny doctor`.',
      ];
      return {
        data: { ...report, next },
        view: { kind: 'text', text: lines.join('\n') },
        ...(report.verified ? {} : { exitCode: 5 }),
      };
    } finally {
      await target.store.close();
    }
  } finally {
    db.close();
  }
}
