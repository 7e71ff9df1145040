import type { CommandContext } from '../context.js';
import { intArg, joinWords, kindArg } from '../args.js';
import type { CommandResult } from '../output.js';
import { usageError } from '../../core/errors.js';
import { recallTable } from './views.js';

export async function run(ctx: CommandContext, args: string[], opts: Record<string, unknown>): Promise<CommandResult> {
  const text = joinWords(args);
  if (!text) throw usageError('the query is empty');
  const k = intArg(opts.limit, '--limit', 1, 100);
  const kinds = typeof opts.kind === 'string' ? opts.kind.split(',').map((s) => kindArg(s.trim())) : undefined;
  const engine = await ctx.engine();
  const results = await engine.memory.recall({
    text,
    k,
    actor: String(opts.actor),
    peek: true,
    ...(kinds ? { kinds } : {}),
  });
  return { data: { query: text, results }, view: recallTable(results) };
}
