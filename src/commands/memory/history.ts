import type { CommandContext } from '../context.js';
import { date } from '../args.js';
import type { CommandResult } from '../output.js';

export async function run(ctx: CommandContext, args: string[]): Promise<CommandResult> {
  const engine = await ctx.engine();
  const memory = engine.memory.get(args[0] as string);
  const revisions = engine.memory.history(memory.id);
  return {
    data: { memory, revisions },
    view: {
      kind: 'table',
      columns: [
        { key: 'revision', label: 'REV', align: 'right' },
        { key: 'changedAt', label: 'WHEN', format: (v) => date(v as number) },
        { key: 'reason', label: 'REASON' },
        { key: 'salience', label: 'SAL', align: 'right', format: (v) => (v as number).toFixed(2) },
        { key: 'text', label: 'TEXT', flex: true },
      ],
      rows: revisions as unknown as Record<string, unknown>[],
      empty: `No earlier revisions of ${memory.id}.`,
    },
  };
}
