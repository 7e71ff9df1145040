#!/usr/bin/env node
// The build: tsc (src → dist), the files tsc does not emit (copy-assets.mjs), then the two esbuild bundles (the CLI start-up path and the chat screen), then a stamp.
// `--if-stale` builds only when a source, a build script or a config is newer than the stamp, so `npm install`
// (prepare), `npm link`, `npm pack` (prepare again), `npm test` and `npm run bench` (pre-steps) build once between
// them instead of once each. `npm run build` always builds.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const stamp = join(root, 'dist', '.build-stamp');
const inputs = [
  'src',
  'scripts/build.mjs',
  'scripts/bundle-cli.mjs',
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
  run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json']);
  run(process.execPath, [join(root, 'scripts', 'copy-assets.mjs')]);
  run(process.execPath, [join(root, 'scripts', 'bundle-cli.mjs')]);
  run(process.execPath, [join(root, 'scripts', 'bundle-tui.mjs')]);
  writeFileSync(stamp, `${new Date().toISOString()}\n`);
}
