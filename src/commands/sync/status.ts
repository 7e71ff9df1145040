/** `progeny sync status`: pending outbox, last push/pull, head, alarms, devices (local; no network). */
import type { CommandContext } from '../context.js';
import type { CommandResult } from '../output.js';
import { openSync, statusView } from './shared.js';

export async function run(ctx: CommandContext): Promise<CommandResult> {
  const status = await (await openSync(ctx)).status();
  return { data: status, view: statusView(status), ...(status.alarms.length ? { exitCode: 6 } : {}) };
}
