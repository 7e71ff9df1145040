/**
 * A copy of the semantic model's package files (model.json, weight shards, vocab.json) in a throw-away directory,
 * for tests that break them (a truncated shard, a changed manifest) and check how each runtime reports it.
 */
import { closeSync, copyFileSync, mkdirSync, openSync, readdirSync, writeSync } from 'node:fs';
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

/** Overwrites `length` bytes of a file with zeros from `offset`, keeping its size (damage that still loads). */
export function zeroRegion(file: string, offset: number, length: number): void {
  const fd = openSync(file, 'r+');
  try {
    writeSync(fd, Buffer.alloc(length), 0, length, offset);
  } finally {
    closeSync(fd);
  }
}
