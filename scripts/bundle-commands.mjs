/**
 * Bundles every command module with the core they use (dist/commands/**, dist/core/**, dist/server/**, …) into one
 * CommonJS file, dist/commands.cjs, which the CLI entry requires when a command runs. Node's ES module loader costs
 * about a millisecond of CPU per module (resolution, URL handling, an asynchronous file read, linking): opening the
 * engine took ~85 of them, more than the engine's own work. One CommonJS file is read and compiled lazily in a few
 * milliseconds, and its modules are evaluated only when a command reaches them (dynamic imports stay lazy).
 *
 * - Packages stay external (node_modules), imported through __progenyImport (scripts/bundle-common.mjs).
 * - `import.meta.url` is rewritten per module to the URL the module has in dist/ (the compiled file beside it still
 *   exists), so relative paths (fixtures, worker scripts, the TUI bundle, package.json) resolve as before.
 * - The chat screen (dist/tui/chat-screen.js) stays its own bundle; it imports only pure helpers of the core
 *   (toProgenyError, whose class is recognised across copies, and writeFileAtomic).
 */
import { build } from 'esbuild';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { banner, distModules } from './bundle-common.mjs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const commandsDir = join(dist, 'commands');

function commandModules(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...commandModules(path));
    else if (name.endsWith('.js')) out.push(path);
  }
  return out;
}

const toPosix = (p) => p.split(sep).join('/');
// Every module a command may load by name (cli.ts `run('memory/add')`, make-context), each behind a lazy import().
const names = commandModules(commandsDir).map((p) => toPosix(relative(commandsDir, p)).replace(/\.js$/, ''));
const entry = `const table = {\n${names.map((n) => `  ${JSON.stringify(n)}: () => import(${JSON.stringify(`./commands/${n}.js`)}),`).join('\n')}\n};
export function load(name) {
  const get = table[name];
  if (!get) throw new Error('progeny: no command module ' + name);
  return get();
}
`;

/**
 * better-sqlite3's JavaScript is bundled too (every command opens the database, and its dozen files cost ~5 ms to
 * load one by one); its native addon still loads from node_modules, found by scripts/shims/bindings.cjs.
 */
const bundledSqlite = {
  name: 'bundled-sqlite',
  setup(b) {
    b.onResolve({ filter: /^better-sqlite3$/ }, () => ({
      path: join(root, 'node_modules/better-sqlite3/lib/index.js'),
    }));
    b.onResolve({ filter: /^bindings$/ }, (args) =>
      args.importer.includes(`${sep}better-sqlite3${sep}`)
        ? { path: join(root, 'scripts/shims/bindings.cjs') }
        : undefined,
    );
  },
};

/**
 * usearch's JavaScript is bundled as well (`memory search` and every recall load it; its loader, node-gyp-build and
 * bindings cost ~7 ms one file at a time). ann-index.ts loads it lazily with createRequire; distModules turns that
 * call into a require() esbuild can follow (still evaluated only when an index is opened), and usearch's own search
 * for its native build, which starts from its __dirname (the bundle's, here), starts from the package instead.
 */
const USEARCH_BUILD_DIR = 'getBuildDir(getDirName())';
const bundledUsearch = {
  name: 'bundled-usearch',
  setup(b) {
    const usearchJs = join(root, 'node_modules/usearch/javascript/dist/cjs/usearch.js');
    b.onResolve({ filter: /^usearch$/ }, () => ({ path: usearchJs }));
    b.onResolve({ filter: /^node-gyp-build$/ }, (args) =>
      args.importer === usearchJs ? { path: join(root, 'node_modules/node-gyp-build/index.js') } : undefined,
    );
    b.onResolve({ filter: /^bindings$/ }, (args) =>
      args.importer === usearchJs ? { path: join(root, 'scripts/shims/bindings.cjs') } : undefined,
    );
    b.onLoad({ filter: /usearch\.js$/ }, (args) => {
      if (args.path !== usearchJs) return undefined;
      const source = readFileSync(args.path, 'utf8');
      if (!source.includes(USEARCH_BUILD_DIR))
        throw new Error(`usearch changed: no ${USEARCH_BUILD_DIR} in ${args.path}`);
      // Found at run time from the bundle's location: the package beside dist/ when it is there (a clone, a global
      // install), else resolved (node_modules/usearch/javascript/dist/cjs/usearch.js → root). Resolving goes through
      // the package's exports, ~2 ms of a `memory search` (docs/performance.md, "Start-up").
      const root = `((path, fs) => {
        const own = path.join(__dirname, '..', 'node_modules', 'usearch');
        if (fs.existsSync(path.join(own, 'package.json'))) return own;
        return path.join(require('node:module').createRequire(__filename).resolve('usearch'), '../../../..');
      })(require('node:path'), require('node:fs'))`;
      return { contents: source.replace(USEARCH_BUILD_DIR, root), loader: 'js' };
    });
  },
};

await build({
  stdin: { contents: entry, resolveDir: dist, sourcefile: 'commands-entry.js', loader: 'js' },
  outfile: join(dist, 'commands.cjs'),
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  packages: 'external',
  // Keep import() as import(): some of these modules are loaded as ES modules (packages, the TUI bundle).
  supported: { 'dynamic-import': true },
  plugins: [distModules(dist, { bundle: ['usearch'] }), bundledSqlite, bundledUsearch],
  banner: { js: banner },
  legalComments: 'none',
  logLevel: 'warning',
});
