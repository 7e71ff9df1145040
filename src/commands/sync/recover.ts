/**
 * `progeny sync recover`: after an alarm, forgets the alarms and where this device was in the relay's log, and reads the
 * log again as it is now, from its newest verified snapshot (docs/sync.md, "Alarms and recovery"). Alarms that still
 * hold are raised again, and the command exits 6.
 */
import type { CommandContext } from '../context.js';
import type { CommandResult } from '../output.js';
import { alarms, pullLine, type BudgetOptions } from './run-ops.js';
import { openSync, progressFn, recoveryAdvice } from './shared.js';

export async function run(ctx: CommandContext, _args: string[], opts: BudgetOptions): Promise<CommandResult> {
  const sync = await openSync(ctx);
  const r = await sync.recover({ signal: ctx.signal, onProgress: progressFn(ctx), budgetMs: opts.budget * 1000 });
  const status = await sync.status();
  const advice = recoveryAdvice(status);
  return {
    data: r,
    view: {
      kind: 'stack',
      views: [
        { kind: 'text', text: `Cleared ${r.cleared} alarm(s) and read the relay's log again: ${pullLine(r.pull)}.` },
        ...alarms(r.pull),
        ...(advice ? [{ kind: 'text' as const, text: advice }] : []),
      ],
    },
    ...(r.pull.alarms.length ? { exitCode: 6 } : {}),
  };
}
