/**
 * The server's gauges that are read when `/metrics` is scraped rather than counted per request: the process (memory,
 * CPU, start time), the engine (degradation mode, stored messages, response-cache hit ratio) and sync progress.
 */
import type { LocalEngine } from '../core/engine/local-engine.js';
import type { Mode } from '../core/events.js';
import type { MetricsRegistry } from '../core/metrics/registry.js';
import { readStatus, type SyncStatus } from '../core/sync/status.js';

const MODES: readonly Mode[] = ['FULL', 'AMNESIA', 'OFFLINE', 'DEAD'];

export function registerProcessGauges(m: MetricsRegistry, engine: LocalEngine): void {
  m.gauge('progeny_process_resident_memory_bytes', 'Resident set size').set(() => process.memoryUsage.rss());
  m.counter('progeny_process_cpu_seconds_total', 'CPU time used by the process, user and system').track(() => {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1e6;
  });
  const startedAt = (Date.now() - process.uptime() * 1000) / 1000;
  m.gauge('progeny_process_start_time_seconds', 'When the process started, in seconds since the epoch').set(startedAt);
  // One series per mode, 1 for the current one (FULL, AMNESIA, OFFLINE, DEAD: docs/monitoring.md), from the latest probe.
  const mode = m.gauge('progeny_mode', 'The degradation mode: 1 for the current one, 0 for the others');
  for (const name of MODES) mode.set(() => (engine.mode() === name ? 1 : 0), { mode: name });
  m.gauge('progeny_conversation_messages', 'Stored chat messages').set(() => engine.conversations.count());
  // Hit ratio of the LLM response cache (its counters are the cache's own, registered by the engine).
  const hits = m.counter('progeny_llm_response_cache_hits_total', 'Replies served from the cache');
  const misses = m.counter('progeny_llm_response_cache_misses_total', 'Cache lookups that missed');
  m.gauge('progeny_llm_response_cache_hit_ratio', 'Share of reply lookups served from the response cache').set(() => {
    const h = hits.get();
    const total = h + misses.get();
    return total ? h / total : 0;
  });
}

export function registerSyncGauges(m: MetricsRegistry, engine: LocalEngine): void {
  // Sync counters, read from the database at scrape time (another process may be the one syncing).
  let sync: { at: number; status: SyncStatus | null } = { at: 0, status: null };
  const syncStatus = (): SyncStatus | null => {
    if (Date.now() - sync.at > 1_000) {
      let status: SyncStatus | null = null;
      try {
        status = readStatus(engine.db, engine.deviceId, undefined);
      } catch {
        // A home without the sync tables yet: no sync figures.
      }
      sync = { at: Date.now(), status };
    }
    return sync.status;
  };
  m.gauge('progeny_sync_pending_changes', 'Local changes not yet accepted by the relay').set(
    () => syncStatus()?.pendingChanges ?? 0,
  );
  m.gauge('progeny_sync_unsent_batches', 'Sealed batches not yet accepted by the relay').set(
    () => syncStatus()?.unsentBatches ?? 0,
  );
  m.gauge('progeny_sync_conflicts', 'Sync conflicts recorded').set(() => syncStatus()?.conflicts ?? 0);
  m.gauge('progeny_sync_last_push_timestamp_seconds', 'Time of the last successful push').set(
    () => (syncStatus()?.lastPushAt ?? 0) / 1000,
  );
  m.gauge('progeny_sync_last_pull_timestamp_seconds', 'Time of the last successful pull').set(
    () => (syncStatus()?.lastPullAt ?? 0) / 1000,
  );
}
