#!/usr/bin/env node
// Where a request's CPU time goes in `progeny serve`, by layer, from a CPU profile of the server under load
// (`progeny profile 'GET /v1/state' --out FILE`): each layer's inclusive time (its functions and everything they call)
// as a share of the time the server spent on requests (everything but idle, start-up and GC). A CPU profile counts
// samples of this process only, so the shares hold on a loaded machine where rates do not.
//
//   node scripts/profile-layers.mjs FILE.cpuprofile [--rate REQ_PER_S]   (--rate turns shares into µs per request)
import { readFileSync } from 'node:fs';
import { scriptArgs } from './script-args.mjs';

const { values, positionals } = scriptArgs(
  { allowPositionals: true, options: { rate: { type: 'string' } } },
  'node scripts/profile-layers.mjs FILE.cpuprofile [--rate REQ_PER_S]',
);
if (positionals.length !== 1) {
  console.error('usage: node scripts/profile-layers.mjs FILE.cpuprofile [--rate REQ_PER_S]');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(positionals[0], 'utf8'));

// [layer, predicate on a call frame]. A sample counts for the innermost layer on its stack: progeny's helpers called
// by a hook count for that hook, fastify's next hook called from a hook's done() counts for fastify, node's socket
// write called from fastify's reply counts for node:http.
const LAYERS = [
  [
    'fast path (src/server/fast-path.ts): request id, headers, the rest of its own code',
    (f) => f.functionName === 'fastPath',
  ],
  // Inside the fast path (or fastify's onRequest / onSend hooks), each check the issue asks to cost on its own.
  ['auth: the bearer token (fromRequest)', (f) => f.functionName === 'fromRequest'],
  ['rate limit and capability (authorize)', (f) => f.functionName === 'authorize'],
  ['metrics: histogram and counter (observe)', (f) => f.functionName === 'observe'],
  ['compression check (bigEnoughToCompress)', (f) => f.functionName === 'bigEnoughToCompress'],
  ['the state read and its JSON (readJson, once per event-loop turn)', (f) => f.functionName === 'readJson'],
  ['onRequest: request id, auth, rate limit, capabilities', (f) => f.functionName === 'authenticateRequest'],
  ['onResponse: metrics (per-request histogram)', (f) => f.functionName === 'observeResponse'],
  ['onSend: compression check', (f) => f.functionName === 'compressReply'],
  ['serialisation (fast-json-stringify)', (f) => /fast-json-stringify|serializ/i.test(f.functionName + f.url)],
  ['route handler (GET /v1/state)', (f) => f.functionName === 'readState'],
  ['fastify (routing, hooks, reply)', (f) => /\/fastify\/|find-my-way|light-my-request|avvio/.test(f.url)],
  [
    'node:http (parse, write, sockets)',
    (f) => /^node:(_http|net|internal\/stream|stream)/.test(f.url) || f.functionName === 'writev',
  ],
];
const IGNORED = new Set(['(idle)', '(program)', '(root)']);

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const selfMs = new Map();
const deltas = profile.timeDeltas;
profile.samples.forEach((id, i) => selfMs.set(id, (selfMs.get(id) ?? 0) + (deltas[i] ?? 0) / 1000));

// Walk from the root; only samples under node's HTTP server or its sockets count (start-up, building the routes, the
// database's open and close are not per request).
const totals = new Map();
let requestMs = 0;
function walk(node, layer, serving) {
  const f = node.callFrame;
  // Lazy module loading during the first requests is start-up too.
  if (/cjs\/loader|bootstrap\/realm/.test(f.url)) return;
  const inRequest = serving || /^node:(_http_server|_http_common|net|internal\/stream_base_commons)$/.test(f.url);
  const here = LAYERS.find(([, match]) => match(f))?.[0] ?? layer;
  const ms = selfMs.get(node.id) ?? 0;
  if (inRequest && !IGNORED.has(f.functionName)) {
    requestMs += ms;
    const key = here ?? 'other (event loop, timers, progeny code outside the layers)';
    totals.set(key, (totals.get(key) ?? 0) + ms);
  }
  for (const c of node.children ?? []) walk(byId.get(c), here, inRequest);
}
walk(profile.nodes[0], null, false);

const rate = values.rate ? Number(values.rate) : null;
console.log(`request CPU time sampled: ${requestMs.toFixed(0)} ms`);
for (const [layer, ms] of [...totals].sort((a, b) => b[1] - a[1])) {
  const share = ms / requestMs;
  const perRequest = rate ? `  ≈ ${((share * 1e6) / rate).toFixed(2)} µs/request at ${rate} req/s` : '';
  console.log(`${(share * 100).toFixed(1).padStart(5)} %  ${layer}${perRequest}`);
}
