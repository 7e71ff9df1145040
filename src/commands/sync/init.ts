/** `progeny sync init --relay URL`: creates a vault on the relay and makes this device its first admin. */
import { usageError } from '../../core/errors.js';
import type { CommandContext } from '../context.js';
import type { CommandResult } from '../output.js';
import { openSync, type VaultOptions, readPassphrase, statusView } from './shared.js';

export async function run(ctx: CommandContext, _args: string[], opts: VaultOptions): Promise<CommandResult> {
  const sync = await openSync(ctx, { create: true });
  const engine = await ctx.engine({ create: true });
  const relay = opts.relay ?? engine.config['sync.relay'];
  if (!relay) throw usageError('which relay?', 'pass --relay http://host:7437 (a `progeny serve`), or set sync.relay');
  const pass = await readPassphrase(ctx, opts);
  const status = await sync.init(relay, pass, {
    name: opts.name ?? engine.devices.self()?.name ?? 'first device',
    signal: ctx.signal,
  });
  return {
    data: status,
    view: {
      kind: 'stack',
      views: [
        {
          kind: 'text',
          text: `Created vault ${status.vaultId}. Join from another device with:\n  progeny sync join --relay ${relay} --vault ${status.vaultId}\nthen run \`progeny sync\` to push this companion.`,
        },
        statusView(status),
      ],
    },
  };
}
