/**
 * What the engine commands load from Node beyond a bare `node`: a built-in a command does not use costs its start-up
 * milliseconds (docs/performance.md, "Start-up"). The built binary runs with a preload that writes, at exit, the
 * built-in modules the process loaded.
 */
import { isAscii } from 'node:buffer';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, makeHome, type Home } from './cli-harness.js';

let home: Home;
let scratch: string;
const preload = (): string => join(scratch, 'modules.cjs');

async function builtinsOf(args: string[]): Promise<string[]> {
  const out = join(scratch, `${args.join('-')}.txt`);
  const r = await home.run(args, { env: { NODE_OPTIONS: `--require ${preload()}`, MODULES_OUT: out } });
  expect(r.code, r.stderr).toBe(0);
  return readFileSync(out, 'utf8')
    .split('\n')
    .filter((m) => m.startsWith('NativeModule '))
    .map((m) => m.slice('NativeModule '.length));
}

beforeAll(async () => {
  home = makeHome({ PROGENY_EMBEDDER_KIND: 'hash' });
  scratch = mkdtempSync(join(tmpdir(), 'progeny-startup-modules-'));
  writeFileSync(
    preload(),
    "process.on('exit', () => require('node:fs').writeFileSync(process.env.MODULES_OUT, process.moduleLoadList.join('\\n')));\n",
  );
  expect((await home.run(['memory', 'add', 'Rosa went to the library on Tuesday'])).code).toBe(0);
  // A saved index, as a home in use has: a search then only views it (building one would time its steps).
  expect((await home.run(['memory', 'reindex'])).code).toBe(0);
});

afterAll(() => {
  home.cleanup();
  rmSync(scratch, { recursive: true, force: true });
});

describe('start-up: built-ins an engine command does not use stay unloaded', () => {
  it('state show and memory list load neither node:crypto, node:worker_threads, node:readline nor perf_hooks', async () => {
    for (const args of [
      ['state', 'show'],
      ['memory', 'list'],
    ]) {
      const loaded = await builtinsOf(args);
      expect(loaded).toContain('internal/fs/utils');
      for (const m of ['crypto', 'worker_threads', 'readline', 'perf_hooks', 'fs/promises'])
        expect(loaded, `${args.join(' ')} loaded ${m}`).not.toContain(m);
    }
  });

  it('memory add loads no node:crypto: its text hash and its id are drawn without it', async () => {
    expect(await builtinsOf(['memory', 'add', 'Rosa bought a lamp'])).not.toContain('crypto');
    const listed = await home.json<{ items: { text: string }[] }>(['memory', 'list']);
    expect(listed.items.map((m) => m.text)).toContain('Rosa bought a lamp');
  });

  it('memory search loads neither perf_hooks nor node:crypto (the hash embedder hashes nothing)', async () => {
    const loaded = await builtinsOf(['memory', 'search', 'library']);
    expect(loaded).not.toContain('perf_hooks');
    expect(loaded).not.toContain('crypto');
  });
});

describe('start-up: the bundles', () => {
  it('are ASCII, so bin/progeny.js reads them as one-byte strings (scripts/code-cache.mjs)', () => {
    for (const name of ['cli.cjs', 'commands.cjs'])
      expect(isAscii(readFileSync(join(BIN, '..', '..', 'dist', name))), name).toBe(true);
  });
});
