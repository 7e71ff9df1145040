#!/usr/bin/env node
// The cost of the reachability check of a saved index (src/core/memory/index-reachability.ts; docs/performance.md,
// "Memories no search reaches"): opens the file with progeny's reader and walks every node's neighbour lists,
// --runs times (the first one may read the file from disk; the others find it in the page cache), and prints the
// members, the stranded ones (and their first keys), the time of each run, the median and the spread, the load average.
// The file is only read (mapped read-only): a cached home's memory.usearch can be checked in place.
// --verify N: then asks usearch's own view of the file for each of the first stranded keys with its own vector, and
// for N other members chosen at random (k 10), and prints how many found themselves: what the check claims.
// --repair: then loads the graph with usearch, removes and adds again every stranded member on one thread (with the
// vector the file holds for it, as `memory reindex` does with the database's), saves it to a temporary copy (never
// over FILE), checks the copy and prints how many are still stranded, with the time of each step.
//
//   node scripts/bench-index-reachability.mjs --index HOME/memory.usearch [--runs 7] [--verify 200] [--repair]
import { openSync, readSync, closeSync } from 'node:fs';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { scriptArgs } from './script-args.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const { values } = scriptArgs(
  {
    options: {
      index: { type: 'string' },
      runs: { type: 'string', default: '7' },
      verify: { type: 'string', default: '0' },
      repair: { type: 'boolean', default: false },
    },
  },
  'node scripts/bench-index-reachability.mjs --index FILE [--runs 7] [--verify 200] [--repair]',
);
if (!values.index) {
  console.error('bench-index-reachability: --index FILE is required');
  process.exit(2);
}
const { fileReachability } = await import(join(root, 'dist', 'core', 'memory', 'index-reachability.js'));

// The dimension is the file's second u32 (src/native/ann-reader.h).
const head = Buffer.alloc(8);
const fd = openSync(values.index, 'r');
readSync(fd, head, 0, 8, 0);
closeSync(fd);
const dims = head.readUInt32LE(4);

const times = [];
let result;
for (let i = 0; i < Number(values.runs); i++) {
  const t0 = process.hrtime.bigint();
  result = fileReachability(values.index, dims, 20);
  times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  if ('reason' in result) {
    console.error(`bench-index-reachability: not checked: ${result.reason}`);
    process.exit(1);
  }
}
const verified = Number(values.verify) > 0 ? await verify(result.labels, Number(values.verify)) : undefined;
const repaired = values.repair ? await repair() : undefined;
const sorted = [...times].sort((a, b) => a - b);
const median = sorted[Math.floor(sorted.length / 2)];
console.log(
  JSON.stringify({
    file: values.index,
    dims,
    members: result.members,
    unreached: result.unreached,
    firstKeys: result.labels,
    ms: times.map((t) => Number(t.toFixed(1))),
    medianMs: Number(median.toFixed(1)),
    spread: `${sorted[0].toFixed(1)}–${sorted.at(-1).toFixed(1)}`,
    ...(verified ? { verified } : {}),
    ...(repaired ? { repaired } : {}),
    loadavg: loadavg().map((l) => Number(l.toFixed(2))),
  }),
);

/** The file's keys by slot and each slot's int8 vector as floats (the layout in src/native/ann-reader.h). */
async function nodes() {
  const { readFileSync } = await import('node:fs');
  const file = readFileSync(values.index);
  const rows = file.readUInt32LE(0);
  const levels = 8 + rows * dims + 64 + 40;
  const m0 = Number(file.readBigUInt64LE(levels - 40 + 16));
  const m = Number(file.readBigUInt64LE(levels - 40 + 8));
  const keyOf = new Map();
  for (let slot = 0, at = levels + 2 * rows; slot < rows; slot++) {
    keyOf.set(slot, Number(file.readBigUInt64LE(at)));
    at += 10 + 4 + 4 * m0 + (4 + 4 * m) * file.readInt16LE(levels + 2 * slot);
  }
  const slotOf = new Map([...keyOf].map(([slot, key]) => [key, slot]));
  const own = (slot) =>
    Float32Array.from(file.subarray(8 + slot * dims, 8 + (slot + 1) * dims), (b) => (b << 24) >> 24);
  return { rows, keyOf, slotOf, own };
}

/** Whether usearch's view finds each node by its own vector: the stranded keys, and `others` random members. */
async function verify(stranded, others) {
  const { createAnnIndex } = await import(join(root, 'dist', 'core', 'memory', 'ann-index.js'));
  const { rows, keyOf, slotOf, own } = await nodes();
  const view = createAnnIndex(dims, values.index, 'view');
  const finds = (slot) => view.search(own(slot), 10).includes(keyOf.get(slot));
  const strandedFound = stranded.filter((key) => finds(slotOf.get(key))).length;
  let othersFound = 0;
  const skip = new Set(stranded);
  let asked = 0;
  for (let seed = 1; asked < others; seed = (seed * 48271) % 2147483647) {
    const slot = seed % rows;
    if (skip.has(keyOf.get(slot)) || keyOf.get(slot) > Number.MAX_SAFE_INTEGER) continue;
    asked++;
    if (finds(slot)) othersFound++;
  }
  return { stranded: `${strandedFound}/${stranded.length} found themselves`, others: `${othersFound}/${asked}` };
}

/** Every stranded member removed and added again on one thread, saved to a temporary copy that is then checked. */
async function repair() {
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { createAnnIndex } = await import(join(root, 'dist', 'core', 'memory', 'ann-index.js'));
  const { slotOf, own } = await nodes();
  const all = fileReachability(values.index, dims, 1_000_000);
  const ms = (t0) => Number((performance.now() - t0).toFixed(0));
  let t0 = performance.now();
  const index = createAnnIndex(dims, values.index, 'load');
  const loadMs = ms(t0);
  t0 = performance.now();
  for (const key of all.labels) index.remove(key);
  index.add(
    all.labels,
    all.labels.map((key) => own(slotOf.get(key))),
  );
  const readdMs = ms(t0);
  const dir = mkdtempSync(join(tmpdir(), 'progeny-reachability-'));
  try {
    t0 = performance.now();
    index.save(join(dir, 'repaired.usearch'));
    const saveMs = ms(t0);
    const after = fileReachability(join(dir, 'repaired.usearch'), dims, 0);
    return { readded: all.labels.length, left: after.unreached, loadMs, readdMs, saveMs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
