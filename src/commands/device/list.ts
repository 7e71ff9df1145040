/** `progeny device list`: the vault's devices (refreshed from the relay when sync is set up) and pending joins. */
import type { CommandContext } from '../context.js';
import type { CommandResult } from '../output.js';
import { devicesView, openSync } from '../sync/shared.js';

export async function run(ctx: CommandContext, _args: string[], opts: { offline?: boolean }): Promise<CommandResult> {
  const sync = await openSync(ctx);
  let status = await sync.status();
  let pending: { id: string; name: string }[] = [];
  if (status.configured && opts.offline !== true) {
    const r = await sync.devices({ signal: ctx.signal });
    status = r.status;
    pending = r.pending.map((p) => ({ id: p.id, name: p.name }));
  }
  return {
    data: { devices: status.devices, pending },
    view: {
      kind: 'stack',
      views: [
        devicesView(status),
        ...(pending.length
          ? [
              {
                kind: 'table' as const,
                columns: [
                  { key: 'id', label: 'PENDING' },
                  { key: 'name', label: 'NAME', flex: true },
                ],
                rows: pending,
                footer: 'approve with `progeny device approve <id>`',
              },
            ]
          : []),
      ],
    },
  };
}
