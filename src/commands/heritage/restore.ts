import type { CommandContext } from '../context.js';
import { intArg } from '../args.js';
import type { CommandResult } from '../output.js';

export async function run(ctx: CommandContext, args: string[], opts: Record<string, unknown>): Promise<CommandResult> {
  const n = intArg(args[0], 'version', 1, Number.MAX_SAFE_INTEGER);
  const v = (await ctx.engine()).heritage.restore(n, typeof opts.reason === 'string' ? opts.reason : undefined);
  const { doc: _doc, ...meta } = v;
  return { data: meta, view: { kind: 'text', text: `Restored version ${n} as version ${v.version}.` } };
}
