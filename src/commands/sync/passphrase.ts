/**
 * `progeny sync passphrase`: wraps the vault root key under a new passphrase (PROGENY_SYNC_NEW_PASSPHRASE or a prompt)
 * with the current KDF (Argon2id), which also upgrades a vault wrapped with scrypt and gives a vault a passphrase
 * again after a revocation. A weak or retired new passphrase is refused with the reason. The current passphrase
 * (PROGENY_SYNC_PASSPHRASE or a prompt) is asked only when this device does not hold the vault's join key.
 */
import { isProgenyError } from '../../core/errors.js';
import type { CommandContext } from '../context.js';
import type { CommandResult } from '../output.js';
import { openSync, readPassphrase } from './shared.js';

export async function run(ctx: CommandContext): Promise<CommandResult> {
  const sync = await openSync(ctx);
  const newP = await readPassphrase(ctx, {}, 'new sync passphrase: ', 'PROGENY_SYNC_NEW_PASSPHRASE');
  const given = ctx.env.PROGENY_SYNC_PASSPHRASE || undefined;
  try {
    await sync.changePassphrase(given, newP, { signal: ctx.signal });
  } catch (err) {
    if (given !== undefined || !isProgenyError(err) || err.code !== 'SYNC_NEED_PASSPHRASE') throw err;
    const oldP = await readPassphrase(ctx, {}, 'current sync passphrase: ');
    await sync.changePassphrase(oldP, newP, { signal: ctx.signal });
  }
  return {
    data: { changed: true },
    view: {
      kind: 'text',
      text: 'Passphrase set (Argon2id, 64 MiB, 3 passes). Devices already in the vault are unaffected; new devices join with it.',
    },
  };
}
