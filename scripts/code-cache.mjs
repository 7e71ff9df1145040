#!/usr/bin/env node
// Writes V8's code cache for the two CommonJS bundles (dist/cli.cjs.cache, dist/commands.cjs.cache), which
// bin/progeny.js compiles with. The cache is made after running a representative command (`memory search` on a
// fresh home: engine open, embedding, recall, a table), so it holds the functions that command compiled, not only
// the top level: measured against a cache of the top level alone, `state show` costs 1.44–1.50× `node -e 0` of CPU
// instead of 1.54–1.61× (hyperfine, 30 runs, 100k memories, load average 13–16). A cache is tied to its bundle by the bundle's first line (the SHA-1 of the rest) and to this Node by V8 itself; the build writes
// it after every bundling, and anything else falls back to a normal compile. No network, no model: llm.provider is
// offline and the home is thrown away.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/**
 * esbuild escapes what is not ASCII in strings, but not in comments nor in every regular expression, and one such
 * character makes the whole source a two-byte string: reading commands.cjs then costs ~3.5 ms instead of ~2 (UTF-8
 * decoded, twice the memory) and V8 hashes and scans twice the bytes. Escaped as \\uXXXX, they mean the same in a
 * string, a regular expression or a comment, and bin/progeny.js reads an ASCII bundle as Latin-1.
 */
const asciiOnly = (code) =>
  code.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

// Each bundle's first line names its build: the SHA-1 of the rest. bin/progeny.js uses a cache only when the cache
// starts with the same line.
for (const name of ['cli.cjs', 'commands.cjs']) {
  const file = join(root, 'dist', name);
  const code = asciiOnly(readFileSync(file, 'utf8').replace(/^\/\*progeny-build:[0-9a-f]+\*\/\n/, ''));
  writeFileSync(file, `/*progeny-build:${createHash('sha1').update(code).digest('hex')}*/\n${code}`);
}
const bin = join(root, 'bin', 'progeny.js');
const home = mkdtempSync(join(tmpdir(), 'progeny-code-cache-'));
// The hash embedder: the warm-up should not load the semantic model (seconds, and its code runs in a worker anyway).
const env = {
  ...process.env,
  PROGENY_HOME: home,
  PROGENY_LLM_PROVIDER: 'offline',
  PROGENY_EMBEDDER_KIND: 'hash',
  NO_COLOR: '1',
};
const run = (args, extra = {}) => {
  const r = spawnSync(process.execPath, [bin, ...args], { env: { ...env, ...extra }, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`progeny ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
};
try {
  run(['memory', 'add', 'the code cache is warmed by this memory']);
  run(['memory', 'search', 'code cache'], { PROGENY_WRITE_CODE_CACHE: '1' });
} finally {
  rmSync(home, { recursive: true, force: true });
}
