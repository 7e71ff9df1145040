/**
 * The dream cycle scheduled in `progeny serve` (docs/domain.md, "Consolidation"): every
 * memory.dream.everyHours hours (0 = off), with the model's summaries when memory.dream.summarise is on and a model
 * answers (without one it consolidates without summaries, as `progeny dream` does). One line per cycle on stderr;
 * never overlaps itself; stops cleanly.
 */
import type { Engine } from '../core/engine/engine.js';
import type { CommandContext } from './context.js';

export function startDreamSchedule(ctx: Pick<CommandContext, 'out'>, engine: Engine): { stop(): Promise<void> } {
  const hours = engine.config['memory.dream.everyHours'];
  if (!hours || hours <= 0) return { stop: async () => undefined };
  const abort = new AbortController();
  let running: Promise<void> | undefined;

  const cycle = async (): Promise<void> => {
    try {
      const summarise =
        engine.config['memory.dream.summarise'] && engine.mode() !== 'OFFLINE' ? engine.summariser() : null;
      const r = await engine.memory.dream({ ...(summarise ? { summarise } : {}), signal: abort.signal });
      const archived = r.merged.reduce((n, m) => n + m.archived.length, 0) + r.decayed;
      ctx.out.notice(
        `dream: ${archived} memories archived, ${r.faded} faded, ${r.summaries} summaries${r.summaryError ? ` (summarising stopped: ${r.summaryError})` : ''}`,
      );
    } catch (err) {
      if (!abort.signal.aborted)
        ctx.out.notice(`scheduled dream failed: ${(err as Error).message} (will retry next cycle)`);
    }
  };
  const timer = setInterval(() => {
    running ??= cycle().finally(() => (running = undefined));
  }, hours * 3_600_000);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      abort.abort();
      await running;
    },
  };
}
