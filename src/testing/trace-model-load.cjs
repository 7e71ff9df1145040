/**
 * Preload (`node --require`) that reports on stderr, as `MODEL-LOADED <request>`, every require of the semantic
 * model's packages (@energetic-ai/*) or of the native embedder's addon (use-lite.node), in the process and in its
 * worker threads (which inherit the flag): tests prove that commands needing no vector never load either runtime.
 */
'use strict';
const Module = require('node:module');

const load = Module._load;
Module._load = function traced(request, ...rest) {
  if (/@energetic-ai\/|use-lite\.node$/.test(request)) process.stderr.write(`MODEL-LOADED ${request}\n`);
  return load.call(this, request, ...rest);
};
