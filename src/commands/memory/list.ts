import type { CommandContext } from '../context.js';
import type { CommandResult } from '../output.js';
import type { MemoryKind, MemoryStatus } from '../../core/memory/types.js';
import { memoryTable } from './views.js';

export interface ListOptions {
  limit: number;
  status: MemoryStatus | 'all';
  kind?: MemoryKind;
  actor?: string;
  cursor?: string;
}

export async function run(ctx: CommandContext, _args: string[], opts: ListOptions): Promise<CommandResult> {
  const engine = await ctx.engine();
  const page = engine.memory.list({
    limit: opts.limit,
    status: opts.status,
    ...(opts.kind ? { kind: opts.kind } : {}),
    ...(opts.actor ? { actor: opts.actor } : {}),
    ...(opts.cursor ? { cursor: opts.cursor } : {}),
  });
  const footer = page.nextCursor ? `more: progeny memory list --cursor ${page.nextCursor}` : undefined;
  return { data: page, view: memoryTable(page.items, footer) };
}
