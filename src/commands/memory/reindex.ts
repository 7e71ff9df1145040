import type { CommandContext } from '../context.js';
import type { CommandResult } from '../output.js';

export async function run(ctx: CommandContext): Promise<CommandResult> {
  const engine = await ctx.engine();
  const r = await engine.memory.reindex({ onProgress: (done, total) => ctx.out.progress('reindexing', done, total) });
  return {
    data: r,
    view: { kind: 'text', text: `Re-embedded ${r.count} memories with ${r.embedder} and rebuilt the index.` },
  };
}
