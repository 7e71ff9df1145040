/**
 * A copy of the semantic model's package files (model.json, weight shards, vocab.json) in a throw-away directory,
 * for tests that break them (a truncated shard, a changed manifest) and check how each runtime reports it.
 */
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { packageModelDir } from '../core/memory/embedder-slot.js';
import { tempHome } from './temp-home.js';

export function modelCopy(): { dir: string; cleanup(): void } {
  const home = tempHome('progeny-model-');
  const dir = join(home.paths.home, 'model');
  const from = packageModelDir();
  mkdirSync(dir);
  for (const f of readdirSync(from))
    if (!f.endsWith('.js') && !f.endsWith('.ts')) copyFileSync(join(from, f), join(dir, f));
  return { dir, cleanup: home.cleanup };
}
