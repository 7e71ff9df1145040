import type { CommandContext } from '../context.js';
import type { CommandResult } from '../output.js';
import { usageError } from '../../core/errors.js';
import type { MemoryKind } from '../../core/memory/types.js';
import { memoryFields } from './views.js';

export interface EditOptions {
  text?: string;
  salience?: number;
  kind?: MemoryKind;
  reason: string;
}

export async function run(ctx: CommandContext, args: string[], opts: EditOptions): Promise<CommandResult> {
  const patch = {
    ...(opts.text !== undefined ? { text: opts.text } : {}),
    ...(opts.salience !== undefined ? { salience: opts.salience } : {}),
    ...(opts.kind !== undefined ? { kind: opts.kind } : {}),
  };
  if (!Object.keys(patch).length) throw usageError('nothing to change', 'pass --text, --salience or --kind');
  if (patch.text !== undefined && !patch.text.trim())
    throw usageError('--text must not be empty', 'to forget a memory use `progeny memory forget`');
  const memory = await (await ctx.engine()).memory.edit(args[0] as string, patch, opts.reason);
  return {
    data: memory,
    view: {
      kind: 'stack',
      views: [{ kind: 'text', text: `Edited (revision ${memory.revision}).` }, memoryFields(memory)],
    },
  };
}
