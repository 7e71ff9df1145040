/**
 * `progeny device revoke <id>`: revocation (of an active or a pending device) is permanent and rotates the keys. The
 * revoked person may know the passphrase, so the new root key is wrapped only under a new passphrase
 * (PROGENY_SYNC_NEW_PASSPHRASE, or a prompt with --new-passphrase); without one, no passphrase opens the vault until
 * `progeny sync passphrase` sets one. PROGENY_SYNC_PASSPHRASE (the current one) is read only when this device does not
 * hold the vault's join key yet.
 */
import { usageError } from '../../core/errors.js';
import { confirm } from '../confirm.js';
import type { CommandContext } from '../context.js';
import type { CommandResult } from '../output.js';
import { openSync, readPassphrase } from '../sync/shared.js';

const NEW_ENV = 'PROGENY_SYNC_NEW_PASSPHRASE';

export async function run(
  ctx: CommandContext,
  args: string[],
  opts: { yes?: boolean; newPassphrase?: boolean },
): Promise<CommandResult> {
  const id = args[0];
  if (!id) throw usageError('which device?', 'progeny device revoke <id> (see `progeny device list`)');
  await confirm(ctx, opts.yes === true, `Revoke device ${id} permanently and rotate the vault keys?`);
  const newPassphrase =
    ctx.env[NEW_ENV] || opts.newPassphrase === true
      ? await readPassphrase(ctx, {}, 'new sync passphrase: ', NEW_ENV)
      : undefined;
  const current = ctx.env.PROGENY_SYNC_PASSPHRASE;
  const r = await (
    await openSync(ctx)
  ).revoke(id, {
    ...(newPassphrase === undefined ? {} : { newPassphrase }),
    ...(current ? { passphrase: current } : {}),
    signal: ctx.signal,
  });
  const after =
    r.passphrase === 'new'
      ? 'New devices join with the new passphrase; the old one is retired (the revoked device may know it).'
      : 'No passphrase opens the vault now (the revoked device may know the old one): set a new one with ' +
        '`progeny sync passphrase` before another device joins with a passphrase, or pair it with `progeny device pair`.';
  return {
    data: { revoked: id, keyEpoch: r.epoch, passphrase: r.passphrase },
    view: { kind: 'text', text: `Revoked ${id}; keys rotated to epoch ${r.epoch}. ${after}` },
  };
}
