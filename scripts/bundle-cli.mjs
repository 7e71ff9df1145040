/**
 * Bundles the start-up path of the CLI (dist/main.js: the error boundary, the commander program, the output module)
 * into one CommonJS file, dist/cli.cjs, which bin/progeny.js requires. Loading one CommonJS file skips Node's ESM
 * loader and the resolution of a dozen modules, which is most of what `progeny --help` costs above a bare `node`.
 * Commands are loaded on demand from dist/commands.cjs (scripts/bundle-commands.mjs); cli.ts computes that path, so
 * they are not bundled here.
 */
import { build } from 'esbuild';
import { banner, distModules } from './bundle-common.mjs';
import { dirname, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const lazyChildProcess = {
  name: 'lazy-child-process',
  setup(b) {
    b.onResolve({ filter: /^node:child_process$/ }, (args) =>
      args.importer.includes(`${sep}commander${sep}`)
        ? { path: resolve(root, 'scripts/shims/child-process-lazy.cjs') }
        : undefined,
    );
  },
};

await build({
  entryPoints: [resolve(root, 'dist/main.js')],
  outfile: resolve(root, 'dist/cli.cjs'),
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // Keep import() as import(): the command modules are ES modules, which require() cannot load on Node 20.
  supported: { 'dynamic-import': true },
  // import.meta does not exist in CommonJS: each module gets the URL it has in dist/ (scripts/bundle-common.mjs).
  plugins: [distModules(resolve(root, 'dist')), lazyChildProcess],
  banner: { js: banner },
  legalComments: 'none',
  logLevel: 'warning',
});
