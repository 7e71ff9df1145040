/** `progeny sync snapshot`: compacts the log for new devices (also done automatically every few hundred batches). */
import type { CommandContext } from '../context.js';
import type { CommandResult } from '../output.js';
import { openSync, progressFn } from './shared.js';

export async function run(ctx: CommandContext): Promise<CommandResult> {
  const sync = await openSync(ctx);
  await sync.pull({ signal: ctx.signal, onProgress: progressFn(ctx) });
  const r = await sync.snapshot({ signal: ctx.signal });
  await sync.push({ signal: ctx.signal });
  return {
    data: r,
    view: {
      kind: 'text',
      text: `Wrote a snapshot at ${r.seq} (${(r.bytes / 1024).toFixed(0)} KiB); new devices start from it.`,
    },
  };
}
