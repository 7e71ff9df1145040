/**
 * Seed vectors kept across bench runs (docs/performance.md, "How progeny bench measures"). A suite that seeds a
 * home with the semantic model pays ~5 ms of CPU per memory to embed it: minutes at 100k, in every run, before
 * anything is measured. The
 * vectors the model made for a seed are written to a file (by embedder id and text hash) and, in the next run, put in
 * the new home's embedding cache before its memories are embedded, so the engine finds them there instead of asking
 * the model; a text the file lacks is embedded for real. Only the seed: what a suite then measures (a chat turn's
 * query) is embedded by the model. The file lives in PROGENY_BENCH_CACHE (default: the OS temp directory).
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Engine } from '../core/engine/engine.js';
import { openDatabase } from '../core/store/db.js';

const HASH_BYTES = 32;

/** Where bench keeps what it made once: PROGENY_BENCH_CACHE, default the OS temp directory's progeny-bench-cache. */
export function benchCacheDir(): string {
  return process.env.PROGENY_BENCH_CACHE ?? join(tmpdir(), 'progeny-bench-cache');
}

export function seedCacheFile(name: string, embedderId: string): string {
  return join(benchCacheDir(), `${name}-${embedderId.replace(/[^\w.-]+/g, '_')}.vectors`);
}

/** The file: the vector size in bytes (uint32), then rows of (text hash as 32 ASCII hex characters, vector bytes). */
function readRows(file: string): [string, Buffer][] {
  if (!existsSync(file)) return [];
  const buf = readFileSync(file);
  const size = buf.length >= 4 ? buf.readUInt32LE(0) : 0;
  if (!size || (buf.length - 4) % (HASH_BYTES + size)) return [];
  const rows: [string, Buffer][] = [];
  for (let at = 4; at < buf.length; at += HASH_BYTES + size)
    rows.push([buf.toString('latin1', at, at + HASH_BYTES), buf.subarray(at + HASH_BYTES, at + HASH_BYTES + size)]);
  return rows;
}

function writeRows(file: string, rows: [string, Buffer][]): void {
  const size = Buffer.alloc(4);
  size.writeUInt32LE(rows[0]?.[1].length ?? 0);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(`${file}.tmp`, Buffer.concat([size, ...rows.flatMap(([h, v]) => [Buffer.from(h, 'latin1'), v])]));
  renameSync(`${file}.tmp`, file);
}

/**
 * Embeds the memories `engine` holds without a vector, taking the vectors of an earlier run from `name`'s file, and
 * leaves the file holding every seed vector for the next run. The embedding cache is emptied again afterwards, so the
 * turns measured find it as a fresh home's (a cache past its bound would be trimmed during a measured turn).
 */
export async function embedSeed(engine: Engine, dbPath: string, name: string): Promise<{ fromFile: number }> {
  const health = await engine.warmEmbedder();
  // The hash embedder made every vector at write time (cheap); a model that did not load is the hash one too.
  if (health.state !== 'ready' || engine.memory.pendingVectors().new === 0) {
    await engine.memory.embedPending();
    return { fromFile: 0 };
  }
  const file = seedCacheFile(name, health.id);
  const db = openDatabase(dbPath);
  try {
    const known = readRows(file);
    const put = db.prepare('INSERT OR REPLACE INTO embed_cache (embedder, text_hash, vector) VALUES (?, ?, ?)');
    db.transaction(() => known.forEach(([hash, vector]) => put.run(health.id, hash, vector)))();
    await engine.memory.embedPending();
    db.prepare('DELETE FROM embed_cache WHERE embedder = ?').run(health.id);
    const rows = db
      .prepare("SELECT text_hash, vector FROM memories WHERE embedder = ? AND status != 'forgotten'")
      .raw()
      .all(health.id) as [string, Buffer][];
    if (rows.length > known.length) writeRows(file, rows);
    return { fromFile: known.length };
  } finally {
    db.close();
  }
}
