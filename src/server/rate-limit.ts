/**
 * Per-token rate limiting: a token bucket per principal (rate tokens/s, up to burst), refilled lazily on each request,
 * so it costs two numbers per client and no timers. Idle buckets are pruned when the map grows.
 */
export interface RateLimiter {
  /** 0 when the request may go ahead, else the seconds to wait before retrying. */
  take(key: string): number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export function createRateLimiter(
  ratePerSecond: number,
  burst: number,
  now: () => number = () => performance.now(),
): RateLimiter {
  const buckets = new Map<string, Bucket>();
  const capacity = Math.max(1, burst);
  return {
    take(key) {
      const t = now();
      let b = buckets.get(key);
      if (!b) {
        if (buckets.size > 10_000) {
          for (const [k, v] of buckets) if (t - v.at > 60_000) buckets.delete(k);
        }
        b = { tokens: capacity, at: t };
        buckets.set(key, b);
      } else {
        b.tokens = Math.min(capacity, b.tokens + ((t - b.at) / 1000) * ratePerSecond);
        b.at = t;
      }
      if (b.tokens >= 1) {
        b.tokens -= 1;
        return 0;
      }
      return Math.max(1, Math.ceil((1 - b.tokens) / ratePerSecond));
    },
  };
}
