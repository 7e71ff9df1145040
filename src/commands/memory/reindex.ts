import type { CommandContext } from '../context.js';
import type { CommandResult } from '../output.js';

/** Re-embeds what has no vector of the current embedder (resumable: a killed run goes on from there), or everything. */
export async function run(ctx: CommandContext, _args: string[], opts: Record<string, unknown>): Promise<CommandResult> {
  const engine = await ctx.engine();
  const r = await engine.memory.reindex({
    staleOnly: opts.all !== true,
    onProgress: (done, total) => {
      ctx.out.progress('re-embedding', done, total);
      if (ctx.globals.json) ctx.out.progressEvent({ embedded: done, ...(total !== undefined ? { total } : {}) });
    },
  });
  return {
    data: r,
    view: { kind: 'text', text: `Re-embedded ${r.count} memories with ${r.embedder} and rebuilt the index.` },
  };
}
