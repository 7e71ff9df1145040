import type { CommandContext } from '../context.js';
import type { CommandResult } from '../output.js';
import { stateView } from './views.js';

export async function run(ctx: CommandContext): Promise<CommandResult> {
  const state = (await ctx.engine()).state.read();
  return { data: state, view: stateView(state) };
}
