/** `progeny sync join --relay URL --vault ID`: asks to join with the passphrase, as a pending device an admin approves. */
import { deviceIdArg } from '../hints.js';
import { usageError } from '../../core/errors.js';
import type { CommandContext } from '../context.js';
import type { CommandResult } from '../output.js';
import { openSync, type VaultOptions, readPassphrase, statusView } from './shared.js';

export async function run(ctx: CommandContext, _args: string[], opts: VaultOptions): Promise<CommandResult> {
  const sync = await openSync(ctx, { create: true });
  const engine = await ctx.engine({ create: true });
  const relay = opts.relay ?? engine.config['sync.relay'];
  if (!relay) throw usageError('which relay?', 'pass --relay http://host:7437, or set sync.relay');
  if (!opts.vault)
    throw usageError(
      'which vault?',
      'pass --vault ID (shown by `progeny sync init` and `progeny sync status` on the first device)',
    );
  const pass = await readPassphrase(ctx, opts);
  await sync.join(relay, opts.vault, pass, {
    name: opts.name ?? `device ${engine.deviceId.slice(0, 6)}`,
    signal: ctx.signal,
  });
  // A pending device receives nothing (no keys, no batches) until an admin approves it; then `progeny sync` fetches.
  const status = await sync.status();
  const approve = `progeny device approve ${deviceIdArg(status.deviceId)}`;
  return {
    data: { ...status, approve },
    view: {
      kind: 'stack',
      views: [
        {
          kind: 'text',
          text: `Asked to join vault ${status.vaultId} as ${status.deviceId}; this device receives nothing until an admin approves it.\nOn an admin device run:  ${approve}\nthen here:  progeny sync`,
        },
        statusView(status),
      ],
    },
  };
}
