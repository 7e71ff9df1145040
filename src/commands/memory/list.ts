import type { CommandContext } from '../context.js';
import { intArg, kindArg } from '../args.js';
import type { CommandResult } from '../output.js';
import { usageError } from '../../core/errors.js';
import type { MemoryStatus } from '../../core/memory/types.js';
import { memoryTable } from './views.js';

const STATUSES = ['active', 'archived', 'forgotten', 'all'];

export async function run(ctx: CommandContext, _args: string[], opts: Record<string, unknown>): Promise<CommandResult> {
  const limit = intArg(opts.limit, '--limit', 1, 1000);
  const status = String(opts.status);
  if (!STATUSES.includes(status)) throw usageError(`--status must be one of ${STATUSES.join(', ')}`);
  const engine = await ctx.engine();
  const page = engine.memory.list({
    limit,
    status: status as MemoryStatus | 'all',
    ...(opts.kind ? { kind: kindArg(opts.kind) } : {}),
    ...(opts.actor ? { actor: String(opts.actor) } : {}),
    ...(opts.cursor ? { cursor: String(opts.cursor) } : {}),
  });
  const footer = page.nextCursor ? `more: progeny memory list --cursor ${page.nextCursor}` : undefined;
  return { data: page, view: memoryTable(page.items, footer) };
}
