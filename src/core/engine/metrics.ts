/** The engine's own metrics (the server adds HTTP ones): turn latency, tokens, cache and failure counters. */
import type { TurnStats } from '../events.js';
import type { MetricsRegistry } from '../metrics/registry.js';
import type { MessageStatus } from './conversations.js';

export function createEngineMetrics(m: MetricsRegistry) {
  const turnSeconds = m.histogram('progeny_turn_duration_seconds', 'Chat turn latency, model time included');
  const firstToken = m.histogram('progeny_turn_first_token_seconds', 'Time to the first token of a reply');
  const turns = m.counter('progeny_turns_total', 'Chat turns by outcome');
  const tokens = m.counter('progeny_tokens_total', 'Reply chunks streamed');
  const memoryFailures = m.counter('progeny_memory_failures_total', 'Memory store failures seen by chat turns');
  const memories = m.gauge('progeny_memories', 'Active memories');
  return {
    memoryFailures,
    trackMemoryCount(fn: () => number) {
      memories.set(fn);
    },
    observeTurn(stats: TurnStats, status: MessageStatus, flags: { cached: boolean; offline: boolean }) {
      turnSeconds.observe(stats.latencyMs / 1000);
      if (stats.firstTokenMs !== null) firstToken.observe(stats.firstTokenMs / 1000);
      turns.inc({ status, source: flags.offline ? 'offline' : flags.cached ? 'cache' : 'model' });
      tokens.inc({}, stats.tokens);
    },
  };
}
