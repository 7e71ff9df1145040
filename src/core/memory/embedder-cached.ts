/**
 * Embedding cache by (embedder id, text hash) in the embed_cache table (docs/domain.md, "Memory"). Bounded:
 * past maxEntries, random sixteenths of the entries (those whose hash starts with one hex digit) are dropped until
 * it fits again: a cheap random eviction without an access-time column.
 */
import { lateBound } from '../late-bound.js';
import { relaxed, type Db } from '../store/db.js';
import type { Embedder } from './types.js';
import { fromBlob, textHash, toBlob } from './vectors.js';

export interface CachedEmbedder extends Embedder {
  /** Drops one text's cached vector (forget purges it). */
  evict(text: string): void;
  readonly inner: Embedder;
}

export function createCachedEmbedder(db: Db, inner: Embedder, maxEntries = 20_000): CachedEmbedder {
  const get = db.prepare('SELECT vector FROM embed_cache WHERE embedder = ? AND text_hash = ?').pluck();
  const put = db.prepare('INSERT OR REPLACE INTO embed_cache (embedder, text_hash, vector) VALUES (?, ?, ?)');
  const del = db.prepare('DELETE FROM embed_cache WHERE embedder = ? AND text_hash = ?');
  const trim = db.prepare('DELETE FROM embed_cache WHERE substr(text_hash, 1, 1) = ?');
  let size = -1;
  // A cache: relaxed, not fsynced on its own (a chat turn stores two vectors; an fsync each cost it ~13 ms here).
  const store = (id: string, rows: [string, Float32Array][]): void =>
    relaxed(db, () => {
      for (const [h, v] of rows) put.run(id, h, toBlob(v));
      if (size < 0) size = db.prepare('SELECT count(*) FROM embed_cache').pluck().get() as number;
      size += rows.length;
      while (size > maxEntries) size -= trim.run('0123456789abcdef'[Math.floor(Math.random() * 16)]).changes;
    });

  // The inner embedder's id may change (the default one falls back to the hash embedder): read it at each use.
  const fields = lateBound(() => inner, [
    'id',
    'dimensions',
    'cheap',
    'preferred',
    'ready',
    'remote',
    'fallbackReason',
  ] as const);
  return Object.assign(fields, {
    inner,
    evict: (text) => void del.run(inner.id, textHash(text)),
    async embed(texts, signal) {
      // A cheap embedder is faster than a cache lookup: caching it would only cost writes.
      if (inner.cheap) return inner.embed(texts, signal);
      const out: (Float32Array | undefined)[] = texts.map((t) => {
        const b = get.get(inner.id, textHash(t)) as Buffer | undefined;
        return b ? fromBlob(b) : undefined;
      });
      const missing = [...new Set(texts.filter((_, i) => !out[i]))];
      if (missing.length) {
        const vecs = await inner.embed(missing, signal);
        const byText = new Map(missing.map((t, i) => [t, vecs[i] as Float32Array]));
        // Keyed by the id read after embedding: the embedder that actually made these vectors.
        store(
          inner.id,
          [...byText].map(([t, v]) => [textHash(t), v]),
        );
        texts.forEach((t, i) => (out[i] ??= byText.get(t)));
      }
      return out as Float32Array[];
    },
  } satisfies Pick<CachedEmbedder, 'inner' | 'evict' | 'embed'>);
}
