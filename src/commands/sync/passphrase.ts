/**
 * `progeny sync passphrase`: re-wraps the vault root key under a new passphrase (PROGENY_SYNC_NEW_PASSPHRASE or a
 * prompt) with the current KDF (Argon2id), which also upgrades a vault wrapped with scrypt. A weak new passphrase is
 * refused with the reason.
 */
import type { CommandContext } from '../context.js';
import type { CommandResult } from '../output.js';
import { openSync, readPassphrase } from './shared.js';

export async function run(ctx: CommandContext): Promise<CommandResult> {
  const sync = await openSync(ctx);
  const oldP = await readPassphrase(ctx, {}, 'current sync passphrase: ');
  const newP = await readPassphrase(ctx, {}, 'new sync passphrase: ', 'PROGENY_SYNC_NEW_PASSPHRASE');
  await sync.changePassphrase(oldP, newP, { signal: ctx.signal });
  return {
    data: { changed: true },
    view: {
      kind: 'text',
      text: 'Passphrase changed (Argon2id, 64 MiB, 3 passes). Devices already in the vault are unaffected; new devices join with the new one.',
    },
  };
}
