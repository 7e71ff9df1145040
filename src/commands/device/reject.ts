/** `progeny device reject <id>`: an admin device drops a pending join request (it may ask again; revoke bans it). */
import { deviceIdArg } from '../hints.js';
import { usageError } from '../../core/errors.js';
import type { CommandContext } from '../context.js';
import type { CommandResult } from '../output.js';
import { openSync } from '../sync/shared.js';

export async function run(ctx: CommandContext, args: string[]): Promise<CommandResult> {
  const id = args[0];
  if (!id) throw usageError('which device?', 'progeny device reject <id> (see `progeny device list`)');
  const req = await (await openSync(ctx)).reject(id, { signal: ctx.signal });
  return {
    data: { rejected: req.id, name: req.name },
    view: {
      kind: 'text',
      text: `Rejected the join request of ${req.id}. To stop it from asking again, revoke it: progeny device revoke ${deviceIdArg(req.id)}`,
    },
  };
}
