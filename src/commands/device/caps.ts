/** `progeny device caps <id> <capabilities>`: an admin device sets a vault device's capabilities. */
import { parseCapabilities } from '../../core/devices/service.js';
import { usageError } from '../../core/errors.js';
import type { CommandContext } from '../context.js';
import type { CommandResult } from '../output.js';
import { openSync } from '../sync/shared.js';

export async function run(ctx: CommandContext, args: string[]): Promise<CommandResult> {
  const [id, list] = args;
  if (!id || !list)
    throw usageError(
      'a device id and a capability list are needed',
      'progeny device caps <id> chat,memory:read,sync:pull',
    );
  const op = await (await openSync(ctx)).setCaps(id, parseCapabilities(list), { signal: ctx.signal });
  return {
    data: { id: op.id, caps: op.caps },
    view: { kind: 'text', text: `${op.id} now has ${op.caps.join(', ') || 'no capabilities'}.` },
  };
}
