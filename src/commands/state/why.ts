import type { CommandContext } from '../context.js';
import { date, intArg } from '../args.js';
import type { CommandResult } from '../output.js';
import { usageError } from '../../core/errors.js';

const VARIABLES = ['trust', 'warmth', 'arousal', 'valence', 'posture', 'elastic'];
const fmt = (v: unknown): string => (typeof v === 'number' ? v.toFixed(3) : String(v));

export async function run(ctx: CommandContext, args: string[], opts: Record<string, unknown>): Promise<CommandResult> {
  const variable = args[0];
  if (variable !== undefined && !VARIABLES.includes(variable))
    throw usageError(`unknown variable "${variable}"`, `use one of ${VARIABLES.join(', ')}`);
  const limit = intArg(opts.limit, '--limit', 1, 1000);
  const engine = await ctx.engine();
  const changes = engine.state.why(variable, limit);
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
