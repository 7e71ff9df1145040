/** `progeny token caps ID chat,memory:read`: replaces a token's capabilities (effective on the next request). */
import type { CommandContext } from '../context.js';
import type { CommandResult } from '../output.js';
import { capsArg } from './add.js';

export async function run(ctx: CommandContext, args: string[]): Promise<CommandResult> {
  const caps = capsArg(args[1]);
  const engine = await ctx.engine();
  const d = engine.devices.setCapabilities(String(args[0]), caps);
  return {
    data: d,
    view: { kind: 'text', text: `"${d.name}" (${d.id}) now has: ${d.capabilities.join(', ') || 'no capabilities'}` },
  };
}
