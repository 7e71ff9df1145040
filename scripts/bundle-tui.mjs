/**
 * Bundles the chat screen (src/tui + ink + react) into dist/tui/chat-screen.js. Loading one file instead of the
 * few hundred modules of ink, react and their dependencies is what keeps `progeny chat`'s first frame fast.
 * Imports of src/core stay external (pointing at dist/core), so the TUI and the engine share one copy of the core
 * (one ProgenyError class, one set of services).
 */
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { dirname, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const srcCore = resolve(root, 'src/core') + sep;
const outDir = resolve(root, 'dist/tui');

const coreExternal = {
  name: 'core-external',
  setup(b) {
    b.onResolve({ filter: /^\.\.?\// }, (args) => {
      const target = resolve(args.resolveDir, args.path);
      if (!target.startsWith(srcCore)) return undefined;
      const rel = relative(outDir, resolve(root, 'dist/core', relative(srcCore, target)))
        .split(sep)
        .join('/');
      return { path: rel.startsWith('.') ? rel : `./${rel}`, external: true };
    });
  },
};

// Ink reaches its devtools bridge only when DEV=true; react-devtools-core is not installed, so it gets a stub.
const devtoolsStub = {
  name: 'devtools-stub',
  setup(b) {
    b.onResolve({ filter: /^react-devtools-core$/ }, () => ({ path: 'react-devtools-core', namespace: 'stub' }));
    b.onLoad({ filter: /.*/, namespace: 'stub' }, () => ({
      contents: 'export default { initialize() {}, connectToDevTools() {} };',
      loader: 'js',
    }));
  },
};

// lowlight's index also re-exports every grammar it has (~190 languages, 1.5 MB); the screen uses its `common` set
// (~40). Its package exports only the index, so the bundle reads the two modules it needs by path.
const lowlightCommon = {
  name: 'lowlight-common',
  setup(b) {
    const lib = resolve(root, 'node_modules/lowlight/lib');
    b.onResolve({ filter: /^lowlight$/ }, () => ({ path: 'lowlight', namespace: 'lowlight-common' }));
    b.onLoad({ filter: /.*/, namespace: 'lowlight-common' }, () => ({
      contents: `export { createLowlight } from ${JSON.stringify(`${lib}/index.js`)};
export { grammars as common } from ${JSON.stringify(`${lib}/common.js`)};`,
      loader: 'js',
      resolveDir: lib,
    }));
  },
};

// Chunks are named by content hash: drop the previous build's.
rmSync(resolve(outDir, 'chunks'), { recursive: true, force: true });

await build({
  entryPoints: { 'chat-screen': resolve(root, 'src/tui/start-chat.tsx') },
  outdir: outDir,
  // Code loaded later (the highlighter's grammars, src/tui/highlight.ts) goes to its own chunk, off the first frame.
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  jsx: 'automatic',
  // React's production build: no dev-only checks on every render.
  define: { 'process.env.NODE_ENV': '"production"' },
  // Some bundled CommonJS dependencies call require(); give the ESM bundle one.
  banner: {
    js: "import { createRequire as __progenyRequire } from 'node:module'; const require = __progenyRequire(import.meta.url);",
  },
  plugins: [coreExternal, devtoolsStub, lowlightCommon],
  legalComments: 'none',
  logLevel: 'warning',
});
