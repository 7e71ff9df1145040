import type { CommandContext } from './context.js';
import type { CommandResult } from './output.js';

export async function run(ctx: CommandContext, _args: string[], opts: Record<string, unknown>): Promise<CommandResult> {
  const engine = await ctx.engine();
  const r = await engine.memory.dream({ dryRun: opts.dryRun === true, onProgress: (d, t) => ctx.out.progress('dreaming', d, t) });
  const archived = r.merged.reduce((n, m) => n + m.archived.length, 0);
  const verb = r.dryRun ? 'would' : '';
  const text = [
    `${r.dryRun ? 'Dry run: ' : ''}merged ${r.merged.length} group(s) of near-duplicates (${archived} ${verb ? 'would be ' : ''}archived),`,
    `faded ${r.faded} old unrecalled memories. Nothing was deleted; \`progeny memory restore <id>\` brings an archived one back.`,
  ].join(' ');
  return { data: r, view: { kind: 'text', text } };
}
