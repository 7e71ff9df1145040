/**
 * Background sync (docs/sync.md): every `intervalS` seconds, pull then push, quietly, while a front end runs (the
 * line-mode chat, the server). A failure is reported once per error code until a sync succeeds again, and retried on
 * the next tick. Never overlaps itself; stop() aborts the sync in flight and waits for it. What happens is reported
 * as events: each front end words them its own way.
 */
import type { LocalEngine } from '../engine/local-engine.js';

export type BackgroundSyncEvent =
  /** An alarm of the pull (a fork, a gap, a revoked device): worth a person's attention. */
  | { kind: 'sync-alarm'; alarm: string }
  /** A sync failed; the first of each code in a row is reported, and the next tick tries again. */
  | { kind: 'sync-failed'; code: string; message: string };

export interface Stoppable {
  stop(): Promise<void>;
}

/** Starts at once (a home without a vault waits quietly); `intervalS` ≤ 0 starts nothing. */
export function startBackgroundSync(
  engine: LocalEngine,
  intervalS: number,
  report: (event: BackgroundSyncEvent) => void,
): Stoppable {
  if (!(intervalS > 0)) return { stop: async () => undefined };
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const abort = new AbortController();
  const seen = new Set<string>();

  const tick = async (): Promise<void> => {
    // Loaded on the first tick: a front end that never syncs does not pay for the sync modules at start-up.
    const [{ createEngineSync }, { hasVault }] = await Promise.all([import('./index.js'), import('./vault-state.js')]);
    if (!hasVault(engine.paths)) return;
    try {
      const r = await createEngineSync(engine).sync({
        signal: abort.signal,
        budgetMs: Math.min(30_000, intervalS * 1000),
      });
      for (const alarm of r.pull.alarms) report({ kind: 'sync-alarm', alarm });
      seen.clear();
    } catch (err) {
      if (stopped) return;
      const e = err as { code?: string; message?: string };
      const code = e.code ?? 'ERR';
      if (!seen.has(code)) report({ kind: 'sync-failed', code, message: e.message ?? String(err) });
      seen.add(code);
    }
  };
  let running = tick().finally(schedule);
  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(() => {
      running = tick().finally(schedule);
    }, intervalS * 1000);
    timer.unref();
  }
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      abort.abort();
      await running.catch(() => undefined);
    },
  };
}
