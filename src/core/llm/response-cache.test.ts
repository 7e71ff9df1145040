import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../clock.js';
import { MetricsRegistry } from '../metrics/registry.js';
import { commitsWith } from '../../testing/sql-trace.js';
import { openDatabase, type Db } from '../store/db.js';
import { createResponseCache, responseCacheKey } from './response-cache.js';
import type { ChatRequest } from './types.js';

const provider = { id: 'ollama' as const, model: 'llama3.2' };
const req: ChatRequest = {
  messages: [
    { role: 'system', content: 'You are kind.' },
    { role: 'user', content: 'Hello' },
  ],
  temperature: 0.84,
  maxTokens: 256,
};

let dir: string;
let db: Db;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'progeny-rc-'));
  db = openDatabase(join(dir, 'progeny.db'));
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('response cache key', () => {
  const key = responseCacheKey(provider, req);

  it('is stable and ignores temperature differences below 0.005', () => {
    expect(responseCacheKey(provider, { ...req, messages: req.messages.map((m) => ({ ...m })) })).toBe(key);
    expect(responseCacheKey(provider, { ...req, temperature: 0.8401 })).toBe(key);
    expect(key).toMatch(/^[0-9a-f]{64}$/);
  });

  it('changes with anything that changes the reply', () => {
    const variants = [
      responseCacheKey({ ...provider, id: 'openai' }, req),
      responseCacheKey({ ...provider, model: 'llama3.2:1b' }, req),
      responseCacheKey(provider, { ...req, temperature: 0.85 }),
      responseCacheKey(provider, { ...req, maxTokens: 255 }),
      responseCacheKey(provider, { ...req, maxTokens: undefined }),
      responseCacheKey(provider, { ...req, messages: [...req.messages, { role: 'user', content: '' }] }),
      responseCacheKey(provider, { ...req, messages: [req.messages[0]!, { role: 'assistant', content: 'Hello' }] }),
      responseCacheKey(provider, { ...req, messages: [req.messages[0]!, { role: 'user', content: 'Hello ' }] }),
      // Moving text between messages must not collide.
      responseCacheKey(provider, {
        ...req,
        messages: [
          { role: 'system', content: 'You are kind.Hello' },
          { role: 'user', content: '' },
        ],
      }),
    ];
    expect(new Set([key, ...variants]).size).toBe(variants.length + 1);
  });
});

describe('response cache store', () => {
  it('returns a stored reply until its TTL passes, then misses and drops it', () => {
    const clock = fixedClock(1_000_000);
    const cache = createResponseCache(db, clock, { ttlMs: 60_000, maxEntries: 10 });
    const key = cache.keyFor(provider, req);
    expect(cache.get(key)).toBeUndefined();
    cache.set(key, { text: 'Hi there 🌿', model: 'llama3.2', usage: { promptTokens: 5, completionTokens: 3 } });
    clock.advance(59_999);
    expect(cache.get(key)).toEqual({
      text: 'Hi there 🌿',
      model: 'llama3.2',
      usage: { promptTokens: 5, completionTokens: 3 },
    });
    clock.advance(1);
    expect(cache.get(key)).toBeUndefined();
    expect(cache.stats()).toEqual({ entries: 0, hits: 1, misses: 2 });
  });

  it('is a cache: its writes are not fsynced on their own (docs/performance.md, "Commits and fsync")', () => {
    const sql: string[] = [];
    const traced = openDatabase(join(dir, 'traced.db'), { verbose: (s) => sql.push(String(s)) });
    try {
      const clock = fixedClock(1_000_000);
      const cache = createResponseCache(traced, clock, { ttlMs: 1_000, maxEntries: 10 });
      const key = cache.keyFor(provider, req);
      cache.set(key, { text: 'Hi' });
      clock.advance(1_000);
      expect(cache.get(key)).toBeUndefined(); // expired: dropped
      const writes = commitsWith(sql, /^(INSERT INTO response_cache|DELETE FROM response_cache)/);
      expect(writes.length).toBe(2);
      expect(writes.map((c) => c.synchronous)).toEqual(['NORMAL', 'NORMAL']);
    } finally {
      traced.close();
    }
  });

  it('keeps at most maxEntries, evicting the oldest first', () => {
    const clock = fixedClock(0);
    const cache = createResponseCache(db, clock, { ttlMs: 1e9, maxEntries: 3 });
    const keys = ['a', 'b', 'c', 'd', 'e'].map((t) => {
      clock.advance(10);
      const k = cache.keyFor(provider, { ...req, messages: [{ role: 'user', content: t }] });
      cache.set(k, { text: t });
      return k;
    });
    expect(cache.stats().entries).toBe(3);
    expect(keys.map((k) => cache.get(k)?.text)).toEqual([undefined, undefined, 'c', 'd', 'e']);
  });

  it('counts hits and misses into a metrics registry', () => {
    const metrics = new MetricsRegistry();
    const cache = createResponseCache(db, fixedClock(0), { ttlMs: 1_000, maxEntries: 10, metrics });
    cache.set('k', { text: 'x' });
    cache.get('k');
    cache.get('k');
    cache.get('other');
    expect(metrics.counter('progeny_llm_response_cache_hits_total', '').get()).toBe(2);
    expect(metrics.counter('progeny_llm_response_cache_misses_total', '').get()).toBe(1);
    expect(metrics.render()).toContain('progeny_llm_response_cache_hits_total 2');
  });

  it('is disabled by ttlMs = 0 or maxEntries = 0', () => {
    for (const opts of [
      { ttlMs: 0, maxEntries: 10 },
      { ttlMs: 1_000, maxEntries: 0 },
    ]) {
      const cache = createResponseCache(db, fixedClock(0), opts);
      cache.set('k', { text: 'x' });
      expect(cache.get('k')).toBeUndefined();
      expect(cache.stats().entries).toBe(0);
    }
  });

  it('treats an unreadable row as a miss and removes it; clear empties the table', () => {
    const cache = createResponseCache(db, fixedClock(0), { ttlMs: 1_000, maxEntries: 10 });
    db.prepare('INSERT INTO response_cache (key, reply, created_at, expires_at) VALUES (?, ?, 0, 1000)').run(
      'bad',
      '{"txt":1}',
    );
    expect(cache.get('bad')).toBeUndefined();
    expect(cache.stats().entries).toBe(0);
    cache.set('k', { text: 'x' });
    cache.clear();
    expect(cache.stats().entries).toBe(0);
  });

  it('persists across cache instances on the same database', () => {
    const clock = fixedClock(0);
    createResponseCache(db, clock, { ttlMs: 1_000, maxEntries: 10 }).set('k', { text: 'kept' });
    expect(createResponseCache(db, clock, { ttlMs: 1_000, maxEntries: 10 }).get('k')?.text).toBe('kept');
  });
});
