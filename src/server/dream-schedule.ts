/**
 * The scheduled dream of a server (docs/domain.md, "Consolidation"): every `everyHours` hours (0 = off) the memory
 * consolidates, with the model's summaries when `summarise` is on and a model answers (without one it consolidates
 * without summaries, as `progeny dream` does). Never overlaps itself; stop() aborts a cycle in flight and waits for it.
 */
import type { Engine } from '../core/engine/engine.js';
import type { Stoppable } from '../core/sync/background.js';
import type { DreamReport } from '../core/memory/index.js';

export interface DreamSchedule {
  /** Hours between cycles; 0 (or less) schedules none. */
  everyHours: number;
  /** Condense fading memories into summaries by the model, when a model answers. */
  summarise: boolean;
}

export type DreamEvent = { kind: 'dream'; report: DreamReport } | { kind: 'dream-failed'; message: string };

export function startDreamSchedule(
  engine: Pick<Engine, 'memory' | 'mode' | 'summariser'>,
  schedule: DreamSchedule,
  report: (event: DreamEvent) => void,
): Stoppable {
  if (!(schedule.everyHours > 0)) return { stop: async () => undefined };
  const abort = new AbortController();
  let running: Promise<void> | undefined;

  const cycle = async (): Promise<void> => {
    try {
      const summarise = schedule.summarise && engine.mode() !== 'OFFLINE' ? engine.summariser() : null;
      const r = await engine.memory.dream({ ...(summarise ? { summarise } : {}), signal: abort.signal });
      report({ kind: 'dream', report: r });
    } catch (err) {
      if (!abort.signal.aborted) report({ kind: 'dream-failed', message: (err as Error).message });
    }
  };
  const timer = setInterval(() => {
    running ??= cycle().finally(() => (running = undefined));
  }, schedule.everyHours * 3_600_000);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      abort.abort();
      await running;
    },
  };
}
