/** `progeny device approve <id>`: an admin device admits a device that joined with the passphrase. */
import { usageError } from '../../core/errors.js';
import type { CommandContext } from '../context.js';
import type { CommandResult } from '../output.js';
import { openSync } from '../sync/shared.js';

export async function run(ctx: CommandContext, args: string[], opts: { admin?: boolean }): Promise<CommandResult> {
  const id = args[0];
  if (!id) throw usageError('which device?', 'progeny device approve <id> (see `progeny device list`)');
  const op = await (await openSync(ctx)).approve(id, { admin: opts.admin === true, signal: ctx.signal });
  return {
    data: { approved: op.id, name: op.name, caps: op.caps },
    view: { kind: 'text', text: `Approved ${op.id} (${op.name}) with ${op.caps.join(', ')}.` },
  };
}
