import type { CommandContext } from '../context.js';
import { date } from '../args.js';
import type { CommandResult } from '../output.js';

export async function run(ctx: CommandContext): Promise<CommandResult> {
  const history = (await ctx.engine()).heritage.history();
  return {
    data: history,
    view: {
      kind: 'table',
      columns: [
        { key: 'version', label: 'VER', align: 'right' },
        { key: 'createdAt', label: 'WHEN', format: (v) => date(v as number) },
        { key: 'trust', label: 'TRUST', align: 'right', format: (v) => (v as number).toFixed(2) },
        {
          key: 'changed',
          label: 'CHANGED',
          format: (v) => ((v as string[]).length ? (v as string[]).join(', ') : '(first)'),
        },
        { key: 'hash', label: 'HASH', format: (v) => String(v).slice(0, 10) },
        { key: 'reason', label: 'REASON', flex: true },
      ],
      rows: history as unknown as Record<string, unknown>[],
      empty: 'No heritage yet: run `progeny init`.',
    },
  };
}
