#!/usr/bin/env node
// The CommonJS entry. The start-up path is bundled into dist/cli.cjs and the commands with the core into
// dist/commands.cjs (scripts/bundle-*.mjs), so a command never goes through a TypeScript loader or Node's ES module
// loader. Both bundles are compiled with V8's code cache when the build left one beside them (`<bundle>.cache`,
// written by scripts/code-cache.mjs): compiling them is most of what a command costs above a bare `node`, and Node 20
// has no compile cache of its own. Any problem with a cache (missing, stale, another Node) means a normal compile.
'use strict';
const { isAscii } = require('node:buffer');
const { readFileSync, writeFileSync } = require('node:fs');
const Module = require('node:module');
const { dirname, join } = require('node:path');
const { Script } = require('node:vm');

const dist = join(__dirname, '..', 'dist');
const compiled = [];

/**
 * A bundle's first line names its build (`/*progeny-build:<sha1 of the rest>*\/`, written by scripts/code-cache.mjs);
 * a cache file starts with the same line, then V8's cached data. Comparing the two lines costs nothing, where hashing
 * the bundle at every start would cost milliseconds (node:crypto and 750 kB).
 */
function cachedDataFor(source, cacheFile) {
  try {
    const build = source.slice(0, source.indexOf('\n') + 1);
    const cache = readFileSync(cacheFile);
    if (!build.startsWith('/*progeny-build:') || cache.toString('latin1', 0, build.length) !== build) return undefined;
    return cache.subarray(build.length);
  } catch {
    return undefined;
  }
}

/**
 * The build makes the bundles ASCII (scripts/code-cache.mjs), which Latin-1 reads as a copy: a one-byte string, where
 * UTF-8 decoding costs ~2 ms more for commands.cjs. Anything else is read as UTF-8, as it was written.
 */
function readSource(filename) {
  const bytes = readFileSync(filename);
  return isAscii(bytes) ? bytes.latin1Slice(0, bytes.length) : bytes.toString('utf8');
}

function requireBundle(name) {
  const filename = join(dist, name);
  const source = readSource(filename);
  const cacheFile = `${filename}.cache`;
  const cachedData = cachedDataFor(source, cacheFile);
  // The bundles' import() of packages and ES modules goes through __progenyImport: code compiled by node:vm cannot
  // use import() itself without an experimental flag.
  const wrapper = `(function (exports, require, module, __filename, __dirname, __progenyImport) {${source}\n})`;
  const script = new Script(wrapper, { filename, ...(cachedData ? { cachedData } : {}) });
  const mod = new Module(filename, module);
  mod.filename = filename;
  mod.paths = Module._nodeModulePaths(dirname(filename));
  const dynamicImport = (specifier) => import(specifier);
  script.runInThisContext()(
    mod.exports,
    Module.createRequire(filename),
    mod,
    filename,
    dirname(filename),
    dynamicImport,
  );
  mod.loaded = true;
  compiled.push({ script, build: source.slice(0, source.indexOf('\n') + 1), cacheFile });
  return mod.exports;
}

// The build (scripts/code-cache.mjs) runs a representative command with this set: the cache then holds the functions
// that command compiled, not only the top level.
if (process.env.PROGENY_WRITE_CODE_CACHE === '1')
  process.on('exit', () => {
    for (const { script, build, cacheFile } of compiled)
      if (build.startsWith('/*progeny-build:'))
        writeFileSync(cacheFile, Buffer.concat([Buffer.from(build, 'latin1'), script.createCachedData()]));
  });

requireBundle('cli.cjs').main(process.argv, requireBundle);
