import type { CommandContext } from '../context.js';
import type { CommandResult } from '../output.js';

export async function run(ctx: CommandContext): Promise<CommandResult> {
  return { data: { path: ctx.paths.config, home: ctx.paths.home }, view: { kind: 'text', text: ctx.paths.config } };
}
