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
// over FILE), checks the copy and prints how many are still stranded, with the time of each step; --rounds R repeats
// that on what is left; --readd-sample N then removes and adds again N reachable members chosen at random and counts
// how many of them, and of the other members, end up stranded (what one thread's inserts do to a graph this size).
//
//   node scripts/bench-index-reachability.mjs --index HOME/memory.usearch [--runs 7] [--verify 200]
//     [--repair [--rounds 1] [--readd-sample 0]]
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
      rounds: { type: 'string', default: '1' },
      'readd-sample': { type: 'string', default: '0' },
    },
  },
  'node scripts/bench-index-reachability.mjs --index FILE [--runs 7] [--verify 200] [--repair [--rounds 1] [--readd-sample 0]]',
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

/** Saves `index` to a temporary copy and walks it: the stranded keys (all of them). */
async function savedAndWalked(index) {
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'progeny-reachability-'));
  try {
    const t0 = performance.now();
    index.save(join(dir, 'copy.usearch'));
    const saveMs = Number((performance.now() - t0).toFixed(0));
    return { saveMs, stranded: fileReachability(join(dir, 'copy.usearch'), dims, 1_000_000).labels };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Every stranded member removed and added again on one thread, --rounds times (each round re-adds what the walk of
 * the saved copy still finds stranded); then --readd-sample reachable members chosen at random removed and added again
 * the same way, and how many of those the walk then finds stranded.
 */
async function repair() {
  const { createAnnIndex } = await import(join(root, 'dist', 'core', 'memory', 'ann-index.js'));
  const { rows, keyOf, slotOf, own } = await nodes();
  const ms = (t0) => Number((performance.now() - t0).toFixed(0));
  let t0 = performance.now();
  const index = createAnnIndex(dims, values.index, 'load');
  const loadMs = ms(t0);
  const readd = (keys) => {
    const t = performance.now();
    for (const key of keys) index.remove(key);
    index.add(
      keys,
      keys.map((key) => own(slotOf.get(key))),
    );
    return ms(t);
  };
  let stranded = fileReachability(values.index, dims, 1_000_000).labels;
  const rounds = [];
  for (let r = 0; r < Number(values.rounds) && stranded.length; r++) {
    const readdMs = readd(stranded);
    const saved = await savedAndWalked(index);
    rounds.push({ readded: stranded.length, left: saved.stranded.length, readdMs, saveMs: saved.saveMs });
    stranded = saved.stranded;
  }
  const sample = Number(values['readd-sample']);
  if (!sample) return { loadMs, rounds };
  const skip = new Set(stranded);
  const picked = new Set();
  for (let seed = 7; picked.size < Math.min(sample, rows - skip.size); seed = (seed * 48271) % 2147483647) {
    const key = keyOf.get(seed % rows);
    if (!skip.has(key) && key <= Number.MAX_SAFE_INTEGER) picked.add(key);
  }
  const readdMs = readd([...picked]);
  const after = await savedAndWalked(index);
  // An insert also prunes its neighbours' lists, which can cut another node's last incoming edge: count those too.
  const before = new Set(stranded);
  const readdedStranded = after.stranded.filter((key) => picked.has(key)).length;
  const othersStranded = after.stranded.filter((key) => !picked.has(key) && !before.has(key)).length;
  return { loadMs, rounds, sample: { readded: picked.size, readdedStranded, othersStranded, readdMs } };
}
