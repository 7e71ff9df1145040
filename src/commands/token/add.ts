/** `progeny token add NAME --caps chat,memory:read,…`: a device token for another client; printed once, stored hashed. */
import type { CommandContext } from '../context.js';
import type { CommandResult } from '../output.js';
import { parseCapabilities } from '../../core/devices/service.js';
import { usageError } from '../../core/errors.js';

/** Accepts `memory.read` as well as `memory:read`. */
export const capsArg = (v: unknown) => parseCapabilities(String(v ?? '').replace(/\./g, ':'));

export async function run(ctx: CommandContext, args: string[], opts: { caps: string }): Promise<CommandResult> {
  const name = args.join(' ').trim();
  if (!name) throw usageError('a token needs a name', 'e.g. `progeny token add phone --caps chat,memory:read`');
  const caps = capsArg(opts.caps);
  if (!caps.length) throw usageError('--caps needs at least one capability');
  const engine = await ctx.engine({ create: true });
  const { device, token } = engine.devices.add(name, caps);
  return {
    data: { id: device.id, name: device.name, capabilities: device.capabilities, token },
    view: {
      kind: 'fields',
      title: `Token for "${device.name}" (shown once: store it now)`,
      fields: [
        ['id', device.id],
        ['capabilities', device.capabilities.join(', ')],
        ['token', token],
        ['use', `Authorization: Bearer ${token}`],
      ],
    },
  };
}
