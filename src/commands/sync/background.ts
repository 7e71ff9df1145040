/**
 * Background sync for `chat` and `serve`: every sync.intervalS seconds (0 = off), pull then push, quietly; failures
 * are reported once per kind as a notice and retried on the next tick. Never overlaps itself, stops cleanly.
 */
import type { LocalEngine } from '../../core/engine/local-engine.js';
import type { CommandContext } from '../context.js';

export function startSyncInBackground(
  ctx: Pick<CommandContext, 'out'>,
  engine: LocalEngine,
): { stop(): Promise<void> } {
  const seconds = engine.config['sync.intervalS'];
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  const abort = new AbortController();
  const seen = new Set<string>();
  if (!seconds || seconds <= 0) return { stop: async () => undefined };

  const tick = async (): Promise<void> => {
    const [{ createEngineSync }, { hasVault }] = await Promise.all([
      import('../../core/sync/index.js'),
      import('../../core/sync/vault-state.js'),
    ]);
    if (!hasVault(engine.paths)) return;
    try {
      const r = await createEngineSync(engine).sync({
        signal: abort.signal,
        budgetMs: Math.min(30_000, seconds * 1000),
      });
      for (const a of r.pull.alarms) ctx.out.warn(`sync alarm: ${a}`, 'run `progeny sync status`');
      seen.clear();
    } catch (err) {
      const e = err as { code?: string; message?: string };
      if (stopped) return;
      if (!seen.has(e.code ?? 'ERR'))
        ctx.out.notice(`background sync failed: ${e.message ?? String(err)} (will retry)`);
      seen.add(e.code ?? 'ERR');
    }
  };
  const schedule = (): void => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = tick().finally(schedule);
    }, seconds * 1000);
    timer.unref();
  };
  running = tick().finally(schedule);
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      abort.abort();
      await running?.catch(() => undefined);
    },
  };
}
