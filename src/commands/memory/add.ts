import type { CommandContext } from '../context.js';
import { joinWords, kindArg, unitArg } from '../args.js';
import type { CommandResult } from '../output.js';
import { usageError } from '../../core/errors.js';
import { memoryFields } from './views.js';

export async function run(ctx: CommandContext, args: string[], opts: Record<string, unknown>): Promise<CommandResult> {
  const text = joinWords(args);
  if (!text) throw usageError('nothing to remember', 'progeny memory add "the thing to remember"');
  const kind = kindArg(opts.kind);
  const salience = unitArg(opts.salience, '--salience');
  const engine = await ctx.engine();
  const [memory] = await engine.memory.add([
    {
      text,
      kind,
      salience,
      actor: String(opts.actor),
      pinned: opts.pin === true,
      source: { via: 'cli', device: engine.deviceId },
    },
  ]);
  // Durable and findable by its words already; its semantic vector is made now so the next search finds it by meaning.
  await engine.memory.embedPending();
  return {
    data: memory,
    view: { kind: 'stack', views: [{ kind: 'text', text: 'Remembered.' }, memoryFields(memory!)] },
  };
}
