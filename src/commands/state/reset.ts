import type { CommandContext } from '../context.js';
import { confirm } from '../confirm.js';
import type { CommandResult } from '../output.js';
import { stateView } from './views.js';

export async function run(ctx: CommandContext, _args: string[], opts: { yes?: boolean }): Promise<CommandResult> {
  const engine = await ctx.engine();
  await confirm(ctx, opts.yes === true, 'Reset trust, warmth, arousal and valence to their defaults?');
  const state = engine.state.reset('reset by the creator');
  return {
    data: state,
    view: {
      kind: 'stack',
      views: [{ kind: 'text', text: 'State reset (the change is logged; see `progeny state why`).' }, stateView(state)],
    },
  };
}
