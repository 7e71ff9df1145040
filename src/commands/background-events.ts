/**
 * How the CLI words what background work reports (the server's scheduled dream, the background sync of `serve` and
 * of the line-mode chat): one line on stderr per event, never on stdout.
 */
import type { BackgroundEvent } from '../server/background.js';
import type { CommandContext } from './context.js';

export function reportBackground(ctx: Pick<CommandContext, 'out'>): (event: BackgroundEvent) => void {
  return (event) => {
    switch (event.kind) {
      case 'dream': {
        const r = event.report;
        const archived = r.merged.reduce((n, m) => n + m.archived.length, 0) + r.decayed;
        const stoppedWhy = r.summaryError ? ` (summarising stopped: ${r.summaryError})` : '';
        ctx.out.notice(`dream: ${archived} memories archived, ${r.faded} faded, ${r.summaries} summaries${stoppedWhy}`);
        return;
      }
      case 'dream-failed':
        ctx.out.notice(`scheduled dream failed: ${event.message} (will retry next cycle)`);
        return;
      case 'sync-alarm':
        ctx.out.warn(`sync alarm: ${event.alarm}`, 'run `progeny sync status`');
        return;
      case 'sync-failed':
        ctx.out.notice(`background sync failed: ${event.message} (will retry)`);
        return;
    }
  };
}
