/**
 * The one rate limiter of the server and the relay (docs/api.md, "Rate limits"): a token bucket per key (rate
 * tokens/s, up to burst), refilled lazily on each request, so it costs two numbers per client and no timers. The API
 * keys it by device token, the relay by address before authentication and by device after it.
 *
 * The map is bounded: keys are client input (an address, a token id), so when it holds maxKeys buckets, the full
 * ones are dropped first (a full bucket is the same as none, so this forgets nothing), then the least recently used
 * until a tenth of the room is free again, which keeps the cost per request constant under a flood of new keys.
 */
export interface RateLimit {
  perSecond: number;
  burst: number;
}

export interface RateLimiter {
  /** 0 when the request may go ahead, else the seconds to wait before retrying. */
  take(key: string): number;
  /** Buckets held (for tests and metrics). */
  readonly size: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export const DEFAULT_MAX_KEYS = 10_000;

export function createRateLimiter(limit: RateLimit, opts: { maxKeys?: number; now?: () => number } = {}): RateLimiter {
  const now = opts.now ?? (() => performance.now());
  const maxKeys = Math.max(1, opts.maxKeys ?? DEFAULT_MAX_KEYS);
  const rate = limit.perSecond;
  const capacity = Math.max(1, limit.burst);
  // Insertion order is recency order: a bucket is re-inserted each time it is used.
  const buckets = new Map<string, Bucket>();
  const refilled = (b: Bucket, t: number): number => Math.min(capacity, b.tokens + ((t - b.at) / 1000) * rate);

  const makeRoom = (t: number): void => {
    for (const [k, b] of buckets) if (refilled(b, t) >= capacity) buckets.delete(k);
    const target = Math.floor(maxKeys * 0.9);
    for (const k of buckets.keys()) {
      if (buckets.size <= target) break;
      buckets.delete(k);
    }
  };

  return {
    get size() {
      return buckets.size;
    },
    take(key) {
      const t = now();
      let b = buckets.get(key);
      if (b) {
        b.tokens = refilled(b, t);
        b.at = t;
        buckets.delete(key);
      } else {
        if (buckets.size >= maxKeys) makeRoom(t);
        b = { tokens: capacity, at: t };
      }
      buckets.set(key, b);
      if (b.tokens >= 1) {
        b.tokens -= 1;
        return 0;
      }
      return Math.max(1, Math.ceil((1 - b.tokens) / rate));
    },
  };
}

/**
 * The key for an address: IPv4 as is (also when mapped into IPv6), IPv6 by its /64 prefix, since one host usually
 * holds a whole /64 and could otherwise rotate through it.
 */
export function addressKey(address: string): string {
  const ip = address.split('%')[0] as string;
  if (!ip.includes(':')) return ip;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1] as string;
  const [head = '', tail = ''] = ip.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = ip.includes('::') ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups
    .slice(0, 4)
    .map((g) => (g === '' ? '0' : g.toLowerCase().replace(/^0+(?=.)/, '')))
    .join(':')}::/64`;
}
