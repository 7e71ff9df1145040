/**
 * Exact-match cache of complete replies (docs/domain.md, chat turn step 5), in the SQLite table response_cache.
 * The key is a SHA-256 of the canonical request: provider, model, every message, the temperature rounded to 0.01
 * and maxTokens. Entries expire after ttlMs and the oldest are evicted beyond maxEntries (either 0 disables the cache).
 *
 * Only complete replies belong here: the caller stores a reply after the provider's `done` chunk, never one that was
 * interrupted, cut or failed — the cache cannot tell, so this is the caller's duty.
 */
import { nodeCrypto } from '../lazy-builtins.js';
import type { Clock } from '../clock.js';
import { relaxed, type Db } from '../store/db.js';
import type { MetricsRegistry } from '../metrics/registry.js';
import { isRecord } from './shape.js';
import type { ChatRequest, LlmProvider, TokenUsage } from './types.js';

export interface CachedReply {
  text: string;
  model?: string;
  usage?: TokenUsage;
}

export interface ResponseCacheOptions {
  ttlMs: number;
  maxEntries: number;
  metrics?: MetricsRegistry;
}

export interface ResponseCacheStats {
  entries: number;
  hits: number;
  misses: number;
}

export interface ResponseCache {
  keyFor(
    provider: Pick<LlmProvider, 'id' | 'model'>,
    req: Pick<ChatRequest, 'messages' | 'temperature' | 'maxTokens'>,
  ): string;
  get(key: string): CachedReply | undefined;
  /** Stores a complete reply (see the module comment); replaces an entry with the same key. */
  set(key: string, reply: CachedReply): void;
  clear(): void;
  stats(): ResponseCacheStats;
}

const KEY_VERSION = 'progeny.response/1';

export function responseCacheKey(
  provider: Pick<LlmProvider, 'id' | 'model'>,
  req: Pick<ChatRequest, 'messages' | 'temperature' | 'maxTokens'>,
): string {
  const canonical = JSON.stringify([
    KEY_VERSION,
    provider.id,
    provider.model,
    Math.round(req.temperature * 100) / 100,
    req.maxTokens ?? null,
    req.messages.map((m) => [m.role, m.content]),
  ]);
  return nodeCrypto().createHash('sha256').update(canonical).digest('hex');
}

function decodeReply(json: string): CachedReply | undefined {
  try {
    const v: unknown = JSON.parse(json);
    if (!isRecord(v) || typeof v['text'] !== 'string') return undefined;
    const reply: CachedReply = { text: v['text'] };
    if (typeof v['model'] === 'string') reply.model = v['model'];
    if (isRecord(v['usage'])) reply.usage = v['usage'] as TokenUsage;
    return reply;
  } catch {
    return undefined;
  }
}

export function createResponseCache(db: Db, clock: Clock, opts: ResponseCacheOptions): ResponseCache {
  const enabled = opts.ttlMs > 0 && opts.maxEntries > 0;
  const hitCounter = opts.metrics?.counter('progeny_llm_response_cache_hits_total', 'Replies served from the cache');
  const missCounter = opts.metrics?.counter('progeny_llm_response_cache_misses_total', 'Cache lookups that missed');
  let hits = 0;
  let misses = 0;
  const select = db.prepare('SELECT reply, expires_at FROM response_cache WHERE key = ?');
  const remove = db.prepare('DELETE FROM response_cache WHERE key = ?');
  const upsert = db.prepare(
    `INSERT INTO response_cache (key, reply, created_at, expires_at) VALUES (?, ?, ?, ?)
     ON CONFLICT(key) DO UPDATE SET reply = excluded.reply, created_at = excluded.created_at, expires_at = excluded.expires_at`,
  );
  const purgeExpired = db.prepare('DELETE FROM response_cache WHERE expires_at <= ?');
  const count = db.prepare('SELECT count(*) AS n FROM response_cache');
  const evictOldest = db.prepare(
    'DELETE FROM response_cache WHERE key IN (SELECT key FROM response_cache ORDER BY created_at, key LIMIT ?)',
  );

  const miss = (): undefined => {
    misses++;
    missCounter?.inc();
    return undefined;
  };

  return {
    keyFor: responseCacheKey,
    get(key) {
      if (!enabled) return miss();
      const row = select.get(key) as { reply: string; expires_at: number } | undefined;
      if (!row) return miss();
      const reply = row.expires_at > clock.now() ? decodeReply(row.reply) : undefined;
      if (!reply) {
        relaxed(db, () => remove.run(key)); // expired or unreadable: drop it so it is not read again
        return miss();
      }
      hits++;
      hitCounter?.inc();
      return reply;
    },
    set(key, reply) {
      if (!enabled) return;
      const now = clock.now();
      const json = JSON.stringify({ text: reply.text, model: reply.model, usage: reply.usage });
      // A cache, so relaxed (store/db.ts): a reply lost to a power cut is asked for again, and a durable commit
      // here cost every chat turn an fsync.
      relaxed(db, () => {
        upsert.run(key, json, now, now + opts.ttlMs);
        purgeExpired.run(now);
        const n = (count.get() as { n: number }).n;
        if (n > opts.maxEntries) evictOldest.run(n - opts.maxEntries);
      });
    },
    clear() {
      relaxed(db, () => db.prepare('DELETE FROM response_cache').run());
    },
    stats: () => ({ entries: (count.get() as { n: number }).n, hits, misses }),
  };
}
