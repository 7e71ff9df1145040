import type { CommandContext } from '../context.js';
import { confirm } from '../confirm.js';
import type { CommandResult } from '../output.js';

export async function run(ctx: CommandContext, args: string[], opts: { yes?: boolean }): Promise<CommandResult> {
  const engine = await ctx.engine();
  const target = engine.memory.get(args[0] as string);
  await confirm(ctx, opts.yes === true, `Forget "${target.text.slice(0, 60)}"? Its text is purged for good.`);
  const memory = await engine.memory.forget(target.id);
  return {
    data: memory,
    view: { kind: 'text', text: `Forgotten: ${memory.id} (text and vector purged; a tombstone remains for sync).` },
  };
}
