/**
 * `progeny device revoke <id>`: revocation is permanent and rotates the keys (a new root key and epoch key for the
 * remaining devices). With the passphrase (PROGENY_SYNC_PASSPHRASE, or --passphrase-stdin / a prompt with
 * --rewrap) the relay's passphrase wrapping is renewed too, so new devices can still join.
 */
import { usageError } from '../../core/errors.js';
import { confirm } from '../confirm.js';
import type { CommandContext } from '../context.js';
import type { CommandResult } from '../output.js';
import { openSync, readPassphrase } from '../sync/shared.js';

export async function run(
  ctx: CommandContext,
  args: string[],
  opts: { yes?: boolean; rewrap?: boolean; passphraseStdin?: boolean },
): Promise<CommandResult> {
  const id = args[0];
  if (!id) throw usageError('which device?', 'progeny device revoke <id> (see `progeny device list`)');
  await confirm(ctx, opts.yes === true, `Revoke device ${id} permanently and rotate the vault keys?`);
  const passphrase =
    ctx.env.PROGENY_SYNC_PASSPHRASE || opts.passphraseStdin === true || opts.rewrap === true
      ? await readPassphrase(ctx, opts)
      : undefined;
  const r = await (await openSync(ctx)).revoke(id, { ...(passphrase ? { passphrase } : {}), signal: ctx.signal });
  return {
    data: { revoked: id, keyEpoch: r.epoch, rewrapped: passphrase !== undefined },
    view: {
      kind: 'text',
      text: `Revoked ${id}; keys rotated to epoch ${r.epoch}.${passphrase ? '' : ' Run again with the passphrase (PROGENY_SYNC_PASSPHRASE or --rewrap) so that new devices can still join.'}`,
    },
  };
}
