/** `progeny token revoke ID`: immediate and permanent; every running server refuses the token on its next request. */
import type { CommandContext } from '../context.js';
import type { CommandResult } from '../output.js';

export async function run(ctx: CommandContext, args: string[]): Promise<CommandResult> {
  const engine = await ctx.engine();
  const d = engine.devices.revoke(String(args[0]));
  return { data: d, view: { kind: 'text', text: `revoked "${d.name}" (${d.id}); its token no longer works` } };
}
