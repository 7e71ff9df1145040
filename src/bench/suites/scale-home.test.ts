import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { loadConfig, writeConfigFile } from '../../core/config/load.js';
import { createReplayProvider, llmFixturePath, loadRecordedStream } from '../../core/llm/index.js';
import { pathsFor } from '../../core/paths.js';
import { seededHome, seededHomeDir } from './scale-home.js';

let root: string;
const saved = process.env.PROGENY_BENCH_CACHE;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'progeny-scale-home-'));
  process.env.PROGENY_BENCH_CACHE = join(root, 'cache');
});
afterEach(() => {
  if (saved === undefined) delete process.env.PROGENY_BENCH_CACHE;
  else process.env.PROGENY_BENCH_CACHE = saved;
  rmSync(root, { recursive: true, force: true });
});

async function open(run: string, n: number) {
  const dir = join(root, run);
  const home = join(dir, 'home');
  mkdirSync(home, { recursive: true });
  const paths = pathsFor(home);
  writeConfigFile(paths.config, { 'embedder.kind': 'hash' });
  const { config } = loadConfig({ path: paths.config, env: {} });
  const llm = createReplayProvider(await loadRecordedStream(llmFixturePath('greeting')), { tokenDelayMs: 0 });
  return seededHome({ home, paths, n, seed: 7, dir }, { config, llm });
}

it("a second run on the same seed and size copies the first run's home and reports the seeding figures it measured", async () => {
  const first = await open('run1', 300);
  expect(first.record.fromCache).toBeUndefined();
  await first.engine.close();

  const second = await open('run2', 300);
  // Not seeded again: the record is the first run's (same time and figures), marked as coming from the cache.
  expect(second.record).toEqual({ ...first.record, fromCache: true });
  const count = second.engine.db.prepare('SELECT count(*) AS n FROM memories').get() as { n: number };
  expect(count.n).toBe(300);
  const messages = second.engine.db.prepare('SELECT count(*) AS n FROM messages').get() as { n: number };
  expect(messages.n).toBe(300);
  // The copied index is the home's own: recall finds memories without rebuilding it from the database.
  const hits = await second.engine.memory.recall({ text: 'rivers', k: 3, peek: true });
  expect(hits.length).toBeGreaterThan(0);
  await second.engine.close();

  // Another size is another home.
  expect(seededHomeDir(7, 300)).not.toBe(seededHomeDir(7, 301));
});
