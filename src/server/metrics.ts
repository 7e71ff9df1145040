/**
 * The server's own metrics, registered in the engine's registry so `/metrics` renders one document: request latency
 * per route (buckets at the budgets of docs/performance.md), requests by status, rate-limited requests, WebSocket
 * connections and messages, the process's memory and CPU, the degradation mode, counts of stored records, and sync
 * progress.
 */
import type { LocalEngine } from '../core/engine/local-engine.js';
import { LATENCY_BUCKETS } from '../core/metrics/registry.js';
import { readStatus, type SyncStatus } from '../core/sync/status.js';
import type { Mode } from '../core/events.js';

const MODES: readonly Mode[] = ['FULL', 'AMNESIA', 'OFFLINE', 'DEAD'];

export type ServerMetrics = ReturnType<typeof createServerMetrics>;

interface BoundSeries {
  latency: (seconds: number) => void;
  count: () => void;
}

export function createServerMetrics(engine: LocalEngine) {
  const m = engine.metrics;
  const latency = m.histogram(
    'progeny_http_request_duration_seconds',
    'HTTP request latency by route',
    LATENCY_BUCKETS,
  );
  const requests = m.counter('progeny_http_requests_total', 'HTTP requests by route, method and status');
  const limited = m.counter('progeny_http_rate_limited_total', 'Requests refused by the per-token rate limit');
  const wsConnections = m.gauge('progeny_ws_connections', 'Open WebSocket connections');
  const wsMessages = m.counter('progeny_ws_messages_total', 'WebSocket messages by direction and type');
  const wsDropped = m.counter('progeny_ws_notices_dropped_total', 'Notices not sent to slow WebSocket clients');
  const wsLatency = m.histogram(
    'progeny_ws_reply_duration_seconds',
    'WebSocket request-to-reply latency by type',
    LATENCY_BUCKETS,
  );
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
  let open = 0;
  wsConnections.set(() => open);
  // Per-request recording resolves each (method, route, status) to its series once, then only adds numbers. Nested
  // maps rather than one joined key: the method and route strings are the same objects on every request (their hashes
  // are cached), so a lookup allocates nothing.
  const bound = new Map<string, Map<string, Map<number, BoundSeries>>>();
  const series = (method: string, route: string, status: number): BoundSeries => {
    let byRoute = bound.get(method);
    if (!byRoute) bound.set(method, (byRoute = new Map()));
    let byStatus = byRoute.get(route);
    if (!byStatus) byRoute.set(route, (byStatus = new Map()));
    let b = byStatus.get(status);
    if (!b)
      byStatus.set(
        status,
        (b = {
          latency: latency.bind({ route, method }),
          count: requests.bind({ route, method, status: String(status) }),
        }),
      );
    return b;
  };
  return {
    observe(route: string, method: string, status: number, ms: number) {
      const b = series(method, route, status);
      b.latency(ms / 1000);
      b.count();
    },
    limited: () => limited.inc(),
    wsOpen: () => void open++,
    wsClose: () => void open--,
    wsIn: (type: string) => wsMessages.inc({ direction: 'in', type }),
    wsOut: (type: string) => wsMessages.inc({ direction: 'out', type }),
    wsDropped: () => wsDropped.inc(),
    wsReply: (type: string, ms: number) => wsLatency.observe(ms / 1000, { type }),
  };
}
