/**
 * What the two CommonJS bundles (dist/cli.cjs, dist/commands.cjs) share: their modules keep the URLs they have in
 * dist/, and their import() of packages and of computed URLs goes through __progenyImport, which bin/progeny.js
 * passes in (code it compiles with node:vm and V8's code cache cannot call import() itself) and which falls back to a
 * plain import() when the bundle is loaded with require().
 */
import { readFileSync } from 'node:fs';
import { relative, sep } from 'node:path';

const toPosix = (p) => p.split(sep).join('/');
// import( not followed by a relative string literal: those are modules of the bundle, which esbuild inlines.
const OUTSIDE_IMPORT = /\bimport\((?!\s*['"`]\.{1,2}\/)/g;

/**
 * Rewrites each module of dist/ as it is bundled: its own import.meta.url, and import() of what is outside. A package
 * in `bundle` that a module loads lazily with `createRequire(import.meta.url)('pkg')` becomes `require('pkg')`, which
 * esbuild bundles and still evaluates only when that line runs.
 */
export function distModules(dist, { bundle = [] } = {}) {
  return {
    name: 'dist-modules',
    setup(b) {
      b.onLoad({ filter: /\.js$/ }, (args) => {
        if (!args.path.startsWith(dist + sep)) return undefined;
        const source = readFileSync(args.path, 'utf8');
        const rel = JSON.stringify(toPosix(relative(dist, args.path)));
        let contents = source;
        for (const pkg of bundle)
          contents = contents.replaceAll(`createRequire(import.meta.url)('${pkg}')`, `require('${pkg}')`);
        contents = contents
          .replaceAll('import.meta.url', `__progenyModuleUrl(${rel})`)
          .replace(OUTSIDE_IMPORT, '__progenyImport(');
        return contents === source ? undefined : { contents, loader: 'js' };
      });
    },
  };
}

export const banner = [
  "var __progenyImport = typeof __progenyImport === 'function' ? __progenyImport : (s) => import(s);",
  "const __progenyModuleUrl = (rel) => require('node:url').pathToFileURL(require('node:path').join(__dirname, rel)).href;",
].join('\n');
