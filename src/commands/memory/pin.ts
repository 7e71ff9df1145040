import type { CommandContext } from '../context.js';
import type { CommandResult } from '../output.js';

export async function run(ctx: CommandContext, args: string[], opts: { unpin?: boolean }): Promise<CommandResult> {
  const pinned = opts.unpin !== true;
  const memory = await (await ctx.engine()).memory.pin(args[0] as string, pinned);
  return { data: memory, view: { kind: 'text', text: `${pinned ? 'Pinned' : 'Unpinned'}: ${memory.id}` } };
}
