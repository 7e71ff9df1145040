import type { CommandContext } from '../context.js';
import { joinWords } from '../args.js';
import type { CommandResult } from '../output.js';
import { usageError } from '../../core/errors.js';
import type { MemoryKind } from '../../core/memory/types.js';
import { memoryFields } from './views.js';

export interface AddOptions {
  kind: MemoryKind;
  salience: number;
  actor: string;
  pin?: boolean;
}

export async function run(ctx: CommandContext, args: string[], opts: AddOptions): Promise<CommandResult> {
  const text = joinWords(args);
  if (!text) throw usageError('nothing to remember', 'progeny memory add "the thing to remember"');
  const engine = await ctx.engine({ create: true });
  const [memory] = await engine.memory.add([
    {
      text,
      kind: opts.kind,
      salience: opts.salience,
      actor: opts.actor,
      pinned: opts.pin === true,
      source: { via: 'cli', device: engine.deviceId },
    },
  ]);
  // Durable and findable by its words already; `add` never waits for the model to load: its semantic vector is made
  // later (docs/embeddings.md, "When vectors are made").
  return {
    data: memory,
    view: { kind: 'stack', views: [{ kind: 'text', text: 'Remembered.' }, memoryFields(memory!)] },
  };
}
