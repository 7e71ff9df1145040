/** `progeny device rename <id> <name>`: a synced field (last writer wins). */
import { usageError } from '../../core/errors.js';
import type { CommandContext } from '../context.js';
import type { CommandResult } from '../output.js';

export async function run(ctx: CommandContext, args: string[]): Promise<CommandResult> {
  const [id, ...rest] = args;
  const name = rest.join(' ').trim();
  if (!id || !name) throw usageError('a device id and a new name are needed', 'progeny device rename <id> "new name"');
  const engine = await ctx.engine();
  const match = engine.devices.list({ includeRevoked: true }).find((d) => d.id === id || d.id.startsWith(id));
  const d = engine.devices.rename(match?.id ?? id, name);
  return { data: d, view: { kind: 'text', text: `Renamed ${d.id} to "${d.name}".` } };
}
