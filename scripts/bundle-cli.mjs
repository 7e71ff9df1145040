/**
 * Bundles the start-up path of the CLI (dist/main.js: the error boundary, the commander program, the output module)
 * into one CommonJS file, dist/cli.cjs, which bin/progeny.js requires. Loading one CommonJS file skips Node's ESM
 * loader and the resolution of a dozen modules, which is most of what `progeny --help` costs above a bare `node`.
 * Commands stay in dist/commands and are imported on demand (cli.ts computes their URLs, so they are not bundled).
 */
import { build } from 'esbuild';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

await build({
  entryPoints: [resolve(root, 'dist/main.js')],
  outfile: resolve(root, 'dist/cli.cjs'),
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // Keep import() as import(): the command modules are ES modules, which require() cannot load on Node 20.
  supported: { 'dynamic-import': true },
  // import.meta does not exist in CommonJS; the bundle's own URL stands in (it sits in dist/, like main.js).
  define: { 'import.meta.url': '__progenyEntryUrl' },
  banner: { js: "const __progenyEntryUrl = require('node:url').pathToFileURL(__filename).href;" },
  legalComments: 'none',
  logLevel: 'warning',
});
