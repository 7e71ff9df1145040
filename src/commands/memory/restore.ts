import type { CommandContext } from '../context.js';
import type { CommandResult } from '../output.js';
import { memoryFields } from './views.js';

export async function run(ctx: CommandContext, args: string[]): Promise<CommandResult> {
  const memory = await (await ctx.engine()).memory.restore(args[0] as string);
  return { data: memory, view: { kind: 'stack', views: [{ kind: 'text', text: 'Restored.' }, memoryFields(memory)] } };
}
