#!/usr/bin/env node
// Builds the native embedder (src/native/ → dist/native/use-lite.node; docs/embeddings.md, "The runtime") with the
// system's C++ compiler against the N-API headers of the Node that runs the build (`npm_config_nodedir`, else the
// include directory beside the node binary). No node-gyp, no network. The kernels are chosen at run time
// (src/native/gemm.cc), so the compiler targets the baseline CPU: never -march=native. The binary is cached under
// node_modules/.cache by a hash of the sources and flags, because every build starts from an empty dist/.
// Never fails the build: without a compiler or headers (or on a compile error) it says so once and exits 0, and the
// built-in model then runs on WebAssembly, as `progeny doctor` reports.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const srcDir = join(root, 'src', 'native');
const out = join(root, 'dist', 'native', 'use-lite.node');
const cxx = process.env.CXX || 'g++';
const flags = ['-O3', '-std=c++17', '-ffp-contract=fast', '-fPIC', '-shared', '-fvisibility=hidden', '-Wall'];
if (process.platform === 'darwin') flags.push('-undefined', 'dynamic_lookup');

function notBuilt(reason) {
  console.warn(`progeny: the native embedder was not built (${reason}); the built-in model will run on WebAssembly`);
  process.exit(0);
}

function headers() {
  const candidates = [
    process.env.npm_config_nodedir && join(process.env.npm_config_nodedir, 'include', 'node'),
    join(dirname(process.execPath), '..', 'include', 'node'),
  ].filter(Boolean);
  return candidates.find((d) => existsSync(join(d, 'node_api.h')));
}

if (process.env.PROGENY_SKIP_NATIVE === '1') notBuilt('PROGENY_SKIP_NATIVE=1');
if (process.platform === 'win32') notBuilt('not supported on Windows yet');
const include = headers();
if (!include) notBuilt("Node's N-API headers (node_api.h) were not found; set npm_config_nodedir");
if (spawnSync(cxx, ['--version'], { encoding: 'utf8' }).status !== 0) notBuilt(`no C++ compiler (${cxx})`);

const sources = readdirSync(srcDir)
  .filter((f) => f.endsWith('.cc'))
  .sort()
  .map((f) => join(srcDir, f));
const hash = createHash('sha256').update(JSON.stringify([cxx, flags, process.platform, process.arch]));
for (const f of readdirSync(srcDir).sort()) hash.update(f).update(readFileSync(join(srcDir, f)));
const cacheDir = join(root, 'node_modules', '.cache', 'progeny-native');
const cached = join(cacheDir, `${hash.digest('hex').slice(0, 16)}.node`);
if (!existsSync(cached)) {
  mkdirSync(cacheDir, { recursive: true });
  const tmp = `${cached}.${process.pid}.tmp`;
  const r = spawnSync(cxx, [...flags, `-I${include}`, ...sources, '-o', tmp], { encoding: 'utf8' });
  if (r.status !== 0) notBuilt(`${cxx} failed: ${(r.stderr || r.error?.message || '').trim().split('\n')[0]}`);
  renameSync(tmp, cached);
}
mkdirSync(dirname(out), { recursive: true });
copyFileSync(cached, out);
