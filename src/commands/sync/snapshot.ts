/**
 * `progeny sync snapshot` (admin device): compacts the log — new devices start from the snapshot and the relay deletes
 * the batches it covers (also done automatically every few hundred batches and after a forget).
 */
import type { CommandContext } from '../context.js';
import type { CommandResult } from '../output.js';
import { openSync, progressFn } from './shared.js';

export async function run(ctx: CommandContext): Promise<CommandResult> {
  const sync = await openSync(ctx);
  const r = await sync.snapshot({ signal: ctx.signal, onProgress: progressFn(ctx) });
  return {
    data: r,
    view: {
      kind: 'text',
      text: `Wrote a snapshot at ${r.seq} (${(r.bytes / 1024).toFixed(0)} KiB); new devices start from it, and the relay deleted the batches before it.`,
    },
  };
}
