/**
 * The server's own metrics, registered in the engine's registry so `/metrics` renders one document: request latency
 * per route (buckets at the budgets of docs/performance.md), requests by status, rate-limited requests, WebSocket
 * connections and messages, the process's memory and CPU, the degradation mode, counts of stored records, and sync
 * progress.
 */
import type { LocalEngine } from '../core/engine/local-engine.js';
import { registerProcessGauges, registerSyncGauges } from './metrics-scrape.js';

export type ServerMetrics = ReturnType<typeof createServerMetrics>;

interface BoundSeries {
  latency: (seconds: number) => void;
  count: () => void;
}

export function createServerMetrics(engine: LocalEngine) {
  const m = engine.metrics;
  const latency = m.histogram('progeny_http_request_duration_seconds', 'HTTP request latency by route');
  const requests = m.counter('progeny_http_requests_total', 'HTTP requests by route, method and status');
  const limited = m.counter('progeny_http_rate_limited_total', 'Requests refused by the per-token rate limit');
  const wsConnections = m.gauge('progeny_ws_connections', 'Open WebSocket connections');
  const wsMessages = m.counter('progeny_ws_messages_total', 'WebSocket messages by direction and type');
  const wsDropped = m.counter('progeny_ws_notices_dropped_total', 'Notices not sent to slow WebSocket clients');
  const wsLatency = m.histogram('progeny_ws_reply_duration_seconds', 'WebSocket request-to-reply latency by type');
  registerProcessGauges(m, engine);
  registerSyncGauges(m, engine);
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
