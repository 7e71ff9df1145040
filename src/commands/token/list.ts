/** `progeny token list`: the devices that may call the server, with their capabilities (tokens are never shown again). */
import type { CommandContext } from '../context.js';
import type { CommandResult } from '../output.js';

export async function run(ctx: CommandContext, _args: string[], opts: { all?: boolean }): Promise<CommandResult> {
  const engine = await ctx.engine();
  const devices = engine.devices.list({ includeRevoked: opts.all === true });
  return {
    data: devices,
    view: {
      kind: 'table',
      columns: [
        { key: 'id', label: 'ID' },
        { key: 'name', label: 'NAME' },
        { key: 'capabilities', label: 'CAPABILITIES', flex: true },
        {
          key: 'createdAt',
          label: 'CREATED',
          format: (v) => new Date(v as number).toISOString().slice(0, 16).replace('T', ' '),
        },
        {
          key: 'revokedAt',
          label: 'REVOKED',
          format: (v) => (v ? new Date(v as number).toISOString().slice(0, 16).replace('T', ' ') : '–'),
        },
      ],
      rows: devices.map((d) => ({ ...d, name: d.isSelf ? `${d.name} (this device)` : d.name })) as unknown as Record<
        string,
        unknown
      >[],
      empty: 'No tokens yet: `progeny token add <name> --caps chat`.',
    },
  };
}
