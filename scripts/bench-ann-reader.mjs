#!/usr/bin/env node
// progeny's index reader (src/native/ann-reader.cc) against usearch on the same saved index file, in one process:
// the open (usearch's `view` walks every node, the reader only the levels), search latency (P50/P99 over --queries
// queries near stored vectors, the two run alternately, after a warm-up), how many of the k keys they share, and
// recall@k of each against exact search over the file's own int8 vectors (--exact queries; brute force in
// JavaScript). The usual file is a home's memory.usearch (`bench core --memories …` or bench-startup's homes).
//
//   node scripts/bench-ann-reader.mjs --index HOME/memory.usearch [--queries 500] [--exact 100] [--k 25]
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { scriptArgs } from './script-args.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const { values } = scriptArgs(
  {
    options: {
      index: { type: 'string' },
      queries: { type: 'string', default: '500' },
      exact: { type: 'string', default: '100' },
      k: { type: 'string', default: '25' },
    },
  },
  'node scripts/bench-ann-reader.mjs --index FILE [--queries 500] [--exact 100] [--k 25]',
);
if (!values.index) {
  console.error('bench-ann-reader: --index FILE is required');
  process.exit(2);
}
const k = Number(values.k);
const { HNSW, createAnnIndex, spread } = await import(join(root, 'dist', 'core', 'memory', 'ann-index.js'));
const { openAnnReader } = await import(join(root, 'dist', 'core', 'memory', 'ann-reader.js'));

// The file's layout (src/native/ann-reader.h): vectors, then the headers, the levels, the nodes (for their keys).
const file = readFileSync(values.index);
const rows = file.readUInt32LE(0);
const dims = file.readUInt32LE(4);
const head = 8 + rows * dims;
const graph = head + 64;
const m = Number(file.readBigUInt64LE(graph + 8));
const m0 = Number(file.readBigUInt64LE(graph + 16));
const keys = new Float64Array(rows);
let at = graph + 40 + 2 * rows;
for (let i = 0; i < rows; i++) {
  const key = file.readBigUInt64LE(at);
  keys[i] = key === 0xffffffffffffffffn ? -1 : Number(key);
  at += 10 + 4 + 4 * m0 + (4 + 4 * m) * file.readInt16LE(graph + 40 + 2 * i);
}
const vectors = new Int8Array(file.buffer, file.byteOffset + 8, rows * dims);

/** Deterministic queries near stored vectors (a stored vector plus noise), so each has true near neighbours. */
let seed = 12345;
const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
const gauss = () => Math.sqrt(-2 * Math.log(rand() || 1e-12)) * Math.cos(2 * Math.PI * rand());
const queries = Array.from({ length: Number(values.queries) }, () => {
  const slot = Math.floor(rand() * rows);
  return Float32Array.from({ length: dims }, (_, d) => vectors[slot * dims + d] / 127 + 0.15 * gauss());
});

const time = (f) => {
  const t = process.hrtime.bigint();
  const out = f();
  return [Number(process.hrtime.bigint() - t) / 1e6, out];
};
createAnnIndex(dims); // usearch's addon loaded before the timing: only the two opens are compared
const [readerOpen, reader] = time(() =>
  openAnnReader(values.index, dims, { expansion: HNSW.expansionSearch, prepare: spread }),
);
if (!('index' in reader)) throw new Error(`the reader refused ${values.index}: ${reader.reason}`);
const [viewOpen, usearch] = time(() => createAnnIndex(dims, values.index, 'view'));
const ours = (q) => reader.index.search(q, k);
const theirs = (q) => usearch.search(q, k);

for (const q of queries.slice(0, 20)) {
  ours(q);
  theirs(q);
}
const lat = { reader: [], usearch: [] };
let shared = 0;
queries.forEach((q, i) => {
  const [a, b] = i % 2 ? [ours, theirs] : [theirs, ours];
  const [ta, ra] = time(() => a(q));
  const [tb, rb] = time(() => b(q));
  const [r, u] = a === ours ? [ra, rb] : [rb, ra];
  lat.reader.push(a === ours ? ta : tb);
  lat.usearch.push(a === ours ? tb : ta);
  shared += r.filter((x) => u.includes(x)).length / Math.max(1, u.length);
});

function exactTop(q) {
  const best = [];
  let q2 = 0;
  for (let d = 0; d < dims; d++) q2 += q[d] * q[d];
  for (let s = 0; s < rows; s++) {
    if (keys[s] < 0) continue;
    let ab = 0;
    let v2 = 0;
    for (let d = 0, o = s * dims; d < dims; d++) {
      const v = vectors[o + d];
      ab += q[d] * v;
      v2 += v * v;
    }
    const sim = v2 ? ab / Math.sqrt(q2 * v2) : 0;
    if (best.length < k || sim > best[best.length - 1].sim) {
      best.push({ sim, key: keys[s] });
      best.sort((x, y) => y.sim - x.sim);
      if (best.length > k) best.pop();
    }
  }
  return best.map((b) => b.key);
}
const recall = { reader: 0, usearch: 0 };
const exactN = Math.min(Number(values.exact), queries.length);
for (const q of queries.slice(0, exactN)) {
  const truth = exactTop(q);
  recall.reader += ours(q).filter((x) => truth.includes(x)).length / truth.length;
  recall.usearch += theirs(q).filter((x) => truth.includes(x)).length / truth.length;
}

const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];
const f = (x) => x.toFixed(3);
console.log(
  JSON.stringify(
    {
      index: values.index,
      rows,
      dims,
      k,
      queries: queries.length,
      loadavg: loadavg().map((x) => Number(x.toFixed(2))),
      openMs: { reader: f(readerOpen), usearchView: f(viewOpen) },
      searchMs: {
        reader: { p50: f(pct(lat.reader, 0.5)), p99: f(pct(lat.reader, 0.99)) },
        usearch: { p50: f(pct(lat.usearch, 0.5)), p99: f(pct(lat.usearch, 0.99)) },
      },
      sharedAtK: f(shared / queries.length),
      recallAtK: { exactQueries: exactN, reader: f(recall.reader / exactN), usearch: f(recall.usearch / exactN) },
    },
    null,
    2,
  ),
);
