// Stands in for node:child_process inside commander, in dist/cli.cjs: commander loads it at start-up only to spawn
// executable subcommands, which progeny does not have, and loading it costs ~3.5 ms of every start.
'use strict';
let real;
module.exports = new Proxy({}, { get: (_target, key) => (real ??= require('node:child_process'))[key] });
