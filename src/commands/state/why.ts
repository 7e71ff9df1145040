import type { CommandContext } from '../context.js';
import { date } from '../args.js';
import type { CommandResult } from '../output.js';

const fmt = (v: unknown): string => (typeof v === 'number' ? v.toFixed(3) : String(v));

export async function run(ctx: CommandContext, args: string[], opts: { limit: number }): Promise<CommandResult> {
  const variable = args[0]; // one of the choices cli.ts declares, or none
  const engine = await ctx.engine();
  const changes = engine.state.why(variable, opts.limit);
  const current = engine.state.read();
  return {
    data: { state: current, changes },
    view: {
      kind: 'table',
      columns: [
        { key: 'at', label: 'WHEN', format: (v) => date(v as number) },
        { key: 'variable', label: 'VARIABLE' },
        { key: 'change', label: 'CHANGE' },
        { key: 'cause', label: 'CAUSE', flex: true },
      ],
      rows: changes.map((c) => ({ ...c, change: `${fmt(c.before)} → ${fmt(c.after)}` })),
      empty: 'No changes recorded yet: the state is at its defaults. Chat to move it.',
    },
  };
}
