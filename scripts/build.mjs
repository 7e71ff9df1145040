#!/usr/bin/env node
// The build: tsc (src → dist), the files tsc does not emit (copy-assets.mjs), the native embedder (build-native.mjs,
// skipped with a notice when it cannot be compiled), the esbuild bundles (the commands with
// the core, the CLI start-up path, the chat screen), V8's code cache for the two CommonJS bundles, then a stamp.
// `--if-stale` builds only when a source, a build script or a config is newer than the stamp, so `npm install`
// (prepare), `npm link`, `npm pack` (prepare again), `npm test` and `npm run bench` (pre-steps) build once between
// them instead of once each. `npm run build` always builds.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const stamp = join(root, 'dist', '.build-stamp');
const inputs = [
  'src',
  'scripts/build.mjs',
  'scripts/build-native.mjs',
  'scripts/bundle-cli.mjs',
  'scripts/bundle-commands.mjs',
  'scripts/bundle-common.mjs',
  'scripts/code-cache.mjs',
  'bin/progeny.js',
  'scripts/bundle-tui.mjs',
  'scripts/copy-assets.mjs',
  'package.json',
  'tsconfig.json',
  'tsconfig.build.json',
];
// Tests are not compiled into dist/, so editing one needs no build.
const isTest = (name) => /\.test\.tsx?$/.test(name);

/** The newest modification time of the files under a path. */
function newest(path) {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let t = 0;
  for (const entry of readdirSync(path)) if (!isTest(entry)) t = Math.max(t, newest(join(path, entry)));
  return t;
}

function stale() {
  if (!existsSync(stamp)) return true;
  const built = statSync(stamp).mtimeMs;
  return inputs.some((p) => newest(join(root, p)) > built);
}

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

if (process.argv.includes('--if-stale') && !stale()) {
  console.log('progeny: dist/ is up to date (npm run build forces a build)');
} else {
  // From scratch: a failed build must not leave a code cache beside a bundle it was not made from, and tsc never
  // deletes, so a module whose source was removed would otherwise stay in dist/ and ship in the package.
  rmSync(join(root, 'dist'), { recursive: true, force: true });
  run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json']);
  run(process.execPath, [join(root, 'scripts', 'copy-assets.mjs')]);
  run(process.execPath, [join(root, 'scripts', 'build-native.mjs')]);
  run(process.execPath, [join(root, 'scripts', 'bundle-commands.mjs')]);
  run(process.execPath, [join(root, 'scripts', 'bundle-cli.mjs')]);
  run(process.execPath, [join(root, 'scripts', 'bundle-tui.mjs')]);
  run(process.execPath, [join(root, 'scripts', 'code-cache.mjs')]);
  writeFileSync(stamp, `${new Date().toISOString()}\n`);
}
