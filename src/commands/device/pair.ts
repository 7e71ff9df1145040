/**
 * `progeny device pair --relay URL` on the new device shows a pairing code and waits; `progeny device pair --accept
 * CODE` on an admin device shows the short authentication string, asks to confirm it matches, and admits the device.
 */
import { createInterface } from 'node:readline/promises';
import { usageError } from '../../core/errors.js';
import type { CommandContext } from '../context.js';
import type { CommandResult } from '../output.js';
import { openSync, type VaultOptions } from '../sync/shared.js';

export async function run(
  ctx: CommandContext,
  _args: string[],
  opts: VaultOptions & { accept?: string; yes?: boolean },
): Promise<CommandResult> {
  const sync = await openSync(ctx, { create: opts.accept === undefined });
  if (opts.accept !== undefined) {
    const r = await sync.pairAccept(
      opts.accept,
      async (sas, name) => {
        ctx.out.notice(`pairing "${name}": the new device must show ${sas}`);
        if (opts.yes === true) return true;
        if (!ctx.stdin.isTTY)
          throw usageError(
            'pairing needs confirmation of the short string',
            'run on a terminal, or pass --yes after comparing the strings',
          );
        const rl = createInterface({ input: ctx.stdin, output: ctx.out.stderr });
        try {
          return /^y(es)?$/i.test(
            (await rl.question(`Does the new device show ${sas}? [y/N] `, { signal: ctx.signal })).trim(),
          );
        } finally {
          rl.close();
        }
      },
      { signal: ctx.signal },
    );
    return { data: r, view: { kind: 'text', text: `Paired ${r.deviceId} (short string ${r.sas}).` } };
  }
  const engine = await ctx.engine();
  const relay = opts.relay ?? engine.config['sync.relay'];
  if (!relay) throw usageError('which relay?', 'pass --relay http://host:7437, or set sync.relay');
  const start = await sync.pairStart(relay, {
    name: opts.name ?? `device ${engine.deviceId.slice(0, 6)}`,
    signal: ctx.signal,
  });
  if (ctx.globals.json) ctx.out.progressEvent({ pairingCode: start.code });
  else ctx.out.notice(`on an admin device run:\n  progeny device pair --accept ${start.code}`);
  const r = await start.wait({ signal: ctx.signal });
  ctx.out.notice(`short authentication string: ${r.sas} (it must match the admin device's screen)`);
  const status = await sync.status();
  return {
    data: { ...status, sas: r.sas },
    view: {
      kind: 'text',
      text: `Paired into vault ${status.vaultId}; short string ${r.sas}. Run \`progeny sync\` to fetch the companion.`,
    },
  };
}
