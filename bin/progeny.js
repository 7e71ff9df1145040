#!/usr/bin/env node
// Tiny CommonJS shim: the start-up path is compiled and bundled into dist/cli.cjs (scripts/bundle-cli.mjs), so
// `progeny --help` never goes through a TypeScript loader or Node's ES module loader.
require('../dist/cli.cjs').main(process.argv);
