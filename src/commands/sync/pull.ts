import type { CommandContext } from '../context.js';
import type { CommandResult } from '../output.js';
import { runOp, type BudgetOptions } from './run-ops.js';

export const run = (ctx: CommandContext, _args: string[], opts: BudgetOptions): Promise<CommandResult> =>
  runOp(ctx, 'pull', opts);
