/**
 * Preload (`node --require`) that refuses every network access of the process and of its worker threads (which
 * inherit the flag) and reports each attempt on stderr as `NETWORK <what>`: tests prove a code path needs no network.
 */
'use strict';
const net = require('node:net');
const dns = require('node:dns');
const { threadId } = require('node:worker_threads');

function refuse(what) {
  process.stderr.write(`NETWORK ${what} (thread ${threadId})\n`);
  throw new Error(`network access refused: ${what}`);
}
net.Socket.prototype.connect = function connect() {
  refuse('socket connect');
};
dns.lookup = (host) => refuse(`dns lookup ${host}`);
globalThis.fetch = async (url) => refuse(`fetch ${url}`);
