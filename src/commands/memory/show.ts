import type { CommandContext } from '../context.js';
import type { CommandResult } from '../output.js';
import { memoryFields } from './views.js';

export async function run(ctx: CommandContext, args: string[]): Promise<CommandResult> {
  const memory = (await ctx.engine()).memory.get(args[0] as string);
  return { data: memory, view: memoryFields(memory) };
}
