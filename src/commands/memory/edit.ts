import type { CommandContext } from '../context.js';
import { kindArg, optional, unitArg } from '../args.js';
import type { CommandResult } from '../output.js';
import { usageError } from '../../core/errors.js';
import { memoryFields } from './views.js';

export async function run(ctx: CommandContext, args: string[], opts: Record<string, unknown>): Promise<CommandResult> {
  const patch = {
    ...(opts.text !== undefined ? { text: String(opts.text) } : {}),
    ...(opts.salience !== undefined
      ? { salience: optional(opts.salience, (v) => unitArg(v, '--salience')) as number }
      : {}),
    ...(opts.kind !== undefined ? { kind: kindArg(opts.kind) } : {}),
  };
  if (!Object.keys(patch).length) throw usageError('nothing to change', 'pass --text, --salience or --kind');
  if (patch.text !== undefined && !patch.text.trim())
    throw usageError('--text must not be empty', 'to forget a memory use `progeny memory forget`');
  const memory = await (await ctx.engine()).memory.edit(args[0] as string, patch, String(opts.reason));
  return {
    data: memory,
    view: {
      kind: 'stack',
      views: [{ kind: 'text', text: `Edited (revision ${memory.revision}).` }, memoryFields(memory)],
    },
  };
}
