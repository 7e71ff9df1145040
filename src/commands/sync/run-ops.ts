/** `progeny sync push|pull` and `progeny sync` (pull then push). */
import type { PullReport, PushReport } from '../../core/sync/index.js';
import type { CommandContext } from '../context.js';
import type { CommandResult, View } from '../output.js';
import { openSync, progressFn } from './shared.js';

/** `--budget SECONDS` (parsed and checked by the command tree in src/cli.ts). */
export interface BudgetOptions {
  budget: number;
}

export const pullLine = (p: PullReport): string =>
  `pulled ${p.applied} batch(es) (${p.changes} change(s) applied), now at ${p.cursor} of ${p.head}${p.parked ? `; ${p.parked} parked` : ''}` +
  (p.stalled ? `; stopped before seq ${p.stalled.seq} (${p.stalled.kind})` : '');
const pushLine = (p: PushReport): string =>
  `pushed ${p.sent} batch(es)${p.duplicates ? ` (${p.duplicates} already there)` : ''}`;

export function alarms(p?: PullReport): View[] {
  return p?.alarms.length
    ? [{ kind: 'text', text: `ALARM: ${p.alarms.join('\nALARM: ')}\n(run \`progeny sync status\`)` }]
    : [];
}

export async function runOp(
  ctx: CommandContext,
  op: 'push' | 'pull' | 'sync',
  opts: BudgetOptions,
): Promise<CommandResult> {
  const sync = await openSync(ctx);
  const o = { signal: ctx.signal, onProgress: progressFn(ctx), budgetMs: opts.budget * 1000 };
  if (op === 'push') {
    const r = await sync.push(o);
    return { data: r, view: { kind: 'text', text: pushLine(r) } };
  }
  if (op === 'pull') {
    const r = await sync.pull(o);
    return {
      data: r,
      view: { kind: 'stack', views: [{ kind: 'text', text: pullLine(r) }, ...alarms(r)] },
      ...(r.alarms.length ? { exitCode: 6 } : {}),
    };
  }
  const r = await sync.sync(o);
  return {
    data: r,
    view: {
      kind: 'stack',
      views: [{ kind: 'text', text: `${pullLine(r.pull)}; ${pushLine(r.push)}` }, ...alarms(r.pull)],
    },
    ...(r.pull.alarms.length ? { exitCode: 6 } : {}),
  };
}
