import { readFileSync, writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { mergeConfig } from '../core/config/load.js';
import { createEngine } from '../core/engine/create.js';
import { tempHome } from '../testing/temp-home.js';
import { embedSeed, seedCacheFile } from './seed-vectors.js';

const homes: ReturnType<typeof tempHome>[] = [];
afterEach(() => homes.splice(0).forEach((h) => h.cleanup()));

/** A fresh home holding `texts` as memories without vectors; embedSeed on it; its memories' vectors by text. */
async function seed(texts: string[]): Promise<{ fromFile: number; vectors: Map<string, Buffer>; cached: number }> {
  const home = tempHome('progeny-seed-');
  homes.push(home);
  const { config } = mergeConfig({ flags: { 'llm.provider': 'offline', 'embedder.idleMs': 0 } });
  const engine = await createEngine({ paths: home.paths, config, llm: null });
  try {
    await engine.memory.add(texts.map((text) => ({ text })));
    const { fromFile } = await embedSeed(engine, home.paths.db, 'test');
    const db = new Database(home.paths.db, { readonly: true });
    const rows = db.prepare('SELECT text, vector FROM memories').raw().all() as [string, Buffer][];
    const cached = db.prepare('SELECT count(*) FROM embed_cache').pluck().get() as number;
    db.close();
    return { fromFile, vectors: new Map(rows), cached };
  } finally {
    await engine.close();
  }
}

describe('seed vectors kept across bench runs', () => {
  it('embeds a seed with the model once, then takes its vectors from the file; a new text is embedded for real', async () => {
    const cache = tempHome('progeny-seed-cache-');
    homes.push(cache);
    process.env.PROGENY_BENCH_CACHE = cache.paths.home;
    try {
      const texts = ['I adopted a kitten', 'the train to Lyon leaves at noon', 'my sister plays the cello'];
      const first = await seed(texts);
      expect(first.fromFile).toBe(0);
      expect(first.cached).toBe(0);
      // The next run's vectors come from the file: mark one in it to tell them from the model's.
      const file = seedCacheFile('test', 'builtin-use-lite-v1/512');
      const bytes = readFileSync(file);
      expect(bytes.length).toBe(4 + 3 * (32 + 512 * 4));
      const marked = Buffer.from(bytes);
      marked.writeFloatLE(0.5, 4 + 32);
      writeFileSync(file, marked);
      const second = await seed([...texts, 'a text the file does not hold']);
      expect(second.fromFile).toBe(3);
      expect(second.cached).toBe(0);
      const fromFile = [...second.vectors.values()].filter((v) => v.readFloatLE(0) === 0.5);
      expect(fromFile).toHaveLength(1);
      for (const t of texts.slice(1)) expect(second.vectors.get(t)).toEqual(first.vectors.get(t));
      const fresh = second.vectors.get('a text the file does not hold') as Buffer;
      expect(fresh.length).toBe(512 * 4);
      expect(fresh.equals(Buffer.alloc(512 * 4))).toBe(false);
      expect(readFileSync(file).length).toBe(4 + 4 * (32 + 512 * 4));
    } finally {
      delete process.env.PROGENY_BENCH_CACHE;
    }
  }, 120_000);
});
