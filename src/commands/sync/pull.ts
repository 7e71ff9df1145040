import type { CommandContext } from '../context.js';
import type { CommandResult } from '../output.js';
import { runOp } from './run-ops.js';

export const run = (ctx: CommandContext, _args: string[], opts: Record<string, unknown>): Promise<CommandResult> =>
  runOp(ctx, 'pull', opts);
