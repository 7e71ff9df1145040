import type { CommandContext } from '../context.js';
import type { CommandResult } from '../output.js';

/** The version was parsed into a whole number by the argument's parser in src/cli.ts. */
export async function run(ctx: CommandContext, args: string[], opts: { reason?: string }): Promise<CommandResult> {
  const n = Number(args[0]);
  const v = (await ctx.engine()).heritage.restore(n, opts.reason);
  const { doc: _doc, ...meta } = v;
  return { data: meta, view: { kind: 'text', text: `Restored version ${n} as version ${v.version}.` } };
}
