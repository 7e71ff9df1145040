// Stands in for the `bindings` package inside dist/commands.cjs, where better-sqlite3's JavaScript is bundled (its
// dozen small files cost ~5 ms to load one by one). better-sqlite3 asks it for better_sqlite3.node; the real package
// finds that file from the caller's directory, taken from a stack trace, which would point into the bundle.
'use strict';
const { existsSync } = require('node:fs');
const { dirname, join } = require('node:path');

module.exports = function bindings(name) {
  const base = dirname(require.resolve('better-sqlite3/package.json'));
  for (const dir of ['build/Release', 'build/Debug', 'build/default', 'build']) {
    const file = join(base, dir, name);
    if (existsSync(file)) return require(file);
  }
  throw new Error(`cannot find ${name} under ${join(base, 'build')}: run \`npm rebuild better-sqlite3\``);
};
