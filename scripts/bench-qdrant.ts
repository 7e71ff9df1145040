/**
 * Benchmark of the Qdrant memory store against the Qdrant TEST DOUBLE on loopback (no real Qdrant here), the double
 * running in its own process so it does not share the event loop with the client being measured:
 *  1. writes: N single-point upserts issued concurrently, batched (memory.qdrant.batchSize) versus one request per
 *     point (batchSize 1): requests sent, wall time, and the ratios;
 *  2. recall: the store's search (5·k = 25 candidates with their vectors) through HTTP + JSON, versus the double's
 *     own exact search run in-process on the same data, so the difference is the client/transport overhead of the
 *     Qdrant backend; and, when the embedded store is available, its search on the same vectors.
 *
 *   npx tsx scripts/bench-qdrant.ts [--points 2000] [--dims 384] [--queries 300] [--json]
 *
 * Compare ratios within one run: the machine is shared and absolute times are noisy.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { createHistogram } from 'node:perf_hooks';
import { scriptArgs } from './script-args.mjs';
import { QdrantStore } from '../src/core/memory/qdrant/store.js';
import type { MemoryStore, VectorPoint } from '../src/core/memory/types.js';
import { fromWireHit } from '../src/core/memory/qdrant/wire.js';
import { systemClock } from '../src/core/clock.js';
import { createWriter } from '../src/core/memory/writer.js';
import { createJournal } from '../src/core/sync/journal.js';
import { tempDb } from '../src/testing/temp-home.js';
import { queryPoints, upsertPoints, type DoubleCollection } from '../src/testing/qdrant-double-collections.js';

const { values } = scriptArgs(
  {
    options: {
      points: { type: 'string', default: '2000' },
      dims: { type: 'string', default: '384' },
      queries: { type: 'string', default: '300' },
      json: { type: 'boolean', default: false },
    },
  },
  'npx tsx scripts/bench-qdrant.ts [--points 2000] [--dims 384] [--queries 300] [--json]',
);
const N = Number(values.points);
const DIMS = Number(values.dims);
const Q = Number(values.queries);

let seed = 42;
const rand = (): number => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31) * 2 - 1;
function vector(): Float32Array {
  const v = Float32Array.from({ length: DIMS }, rand);
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}
const points: VectorPoint[] = Array.from({ length: N }, (_, i) => ({
  id: `M${i}`,
  label: i + 1,
  vector: vector(),
  payload: {
    actor: i % 10 === 0 ? 'other' : 'creator',
    kind: 'interaction',
    createdAt: 1_700_000_000_000 + i,
    salience: 0.5,
  },
}));
const queries = Array.from({ length: Q }, vector);

const child = spawn(process.execPath, ['--import', 'tsx', 'src/testing/qdrant-double.ts', '--port', '0'], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
const [line] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
const double = { url: (JSON.parse(line) as { url: string }).url };
const stats = async (): Promise<{ byRoute: Record<string, number>; serverMs: Record<string, number> }> =>
  (await (await fetch(`${double.url}/__double/stats`)).json()) as {
    byRoute: Record<string, number>;
    serverMs: Record<string, number>;
  };
const upsertRequests = async (): Promise<number> => (await stats()).byRoute.upsert ?? 0;
const home = tempDb();
const embedder = { id: `bench/${DIMS}`, dimensions: DIMS };
const store = (collection: string, batchSize: number): QdrantStore =>
  new QdrantStore({
    db: home.db,
    embedder,
    url: double.url,
    collection,
    batchSize,
    batchMs: 5,
    timeoutMs: 30_000,
    retries: 2,
  });

async function writes(
  batchSize: number,
  collection: string,
): Promise<{ requests: number; ms: number; pointsPerSec: number }> {
  const s = store(collection, batchSize);
  await s.open();
  const before = await upsertRequests();
  const t0 = performance.now();
  await Promise.all(points.map((p) => s.upsert([p])));
  const ms = performance.now() - t0;
  const requests = (await upsertRequests()) - before;
  if ((await s.count()) !== N) throw new Error(`expected ${N} points in ${collection}`);
  await s.close();
  return { requests, ms, pointsPerSec: (N / ms) * 1000 };
}

async function latency(
  fn: (q: Float32Array) => Promise<unknown> | unknown,
): Promise<{ p50: number; p99: number; mean: number }> {
  for (const q of queries.slice(0, 20)) await fn(q); // warm-up
  const h = createHistogram();
  for (const q of queries) {
    const t0 = process.hrtime.bigint();
    await fn(q);
    h.record(process.hrtime.bigint() - t0 || 1n);
  }
  return { p50: h.percentile(50) / 1e6, p99: h.percentile(99) / 1e6, mean: h.mean / 1e6 };
}

const single = await writes(1, 'bench_single');
const batched = await writes(256, 'bench_batched');

const s = store('bench_batched', 256);
await s.open();
const filter = { actor: 'creator' };
const before = await stats();
const viaHttp = await latency((q) => s.search(q, { limit: 25, filter }));
const after = await stats();
// The double's own time per query (parse, brute-force search, JSON of 25 vectors), measured inside the double.
const serverMeanMs =
  ((after.serverMs.query ?? 0) - (before.serverMs.query ?? 0)) /
  ((after.byRoute.query ?? 0) - (before.byRoute.query ?? 0));
// The same exact search on the same data, in this process: what the double computes, without HTTP and JSON.
const collection: DoubleCollection = { size: DIMS, distance: 'Cosine', points: new Map(), indexes: new Map() };
upsertPoints(
  collection,
  points.map((p) => ({
    id: p.label,
    vector: Array.from(p.vector),
    payload: { memory_id: p.id, actor: p.payload.actor },
  })),
);
const inProcess = await latency((q) =>
  queryPoints(collection, {
    query: Array.from(q),
    filter: { must: [{ key: 'actor', match: { value: 'creator' } }] },
    limit: 25,
    with_vector: true,
    with_payload: ['memory_id'],
  }),
);

// The client's own share of a recall: the tiny-request round trip (transport, keep-alive), and encoding the query
// plus decoding a 25-candidate response with vectors (what any Qdrant server sends back), measured in-process.
const { QdrantClient } = await import('@qdrant/js-client-rest');
const raw = new QdrantClient({ url: double.url, checkCompatibility: false });
const roundTrip = await latency(() => raw.collectionExists('bench_batched'));
const sampleResponse = JSON.stringify({
  result: {
    points: points.slice(0, 25).map((p, i) => ({
      id: p.label,
      version: 1,
      score: 0.9 - i / 100,
      payload: { memory_id: p.id },
      vector: Array.from(p.vector),
    })),
  },
  status: 'ok',
  time: 0.001,
});
const codec = await latency((q) => {
  JSON.stringify({
    query: Array.from(q),
    filter: { must: [{ key: 'actor', match: { value: 'creator' } }] },
    limit: 25,
    with_vector: true,
    with_payload: ['memory_id'],
  });
  const parsed = JSON.parse(sampleResponse) as { result: { points: Parameters<typeof fromWireHit>[0][] } };
  return parsed.result.points.map(fromWireHit);
});

// The alternative design, for comparison only: ask Qdrant for ids and scores, read the 25 vectors from SQLite (the
// source of truth holds them) by primary key.
home.db.exec('CREATE TABLE bench_vectors (id TEXT PRIMARY KEY, vector BLOB NOT NULL) WITHOUT ROWID');
const put = home.db.prepare('INSERT INTO bench_vectors (id, vector) VALUES (?, ?)');
home.db.transaction(() => points.forEach((p) => put.run(p.id, Buffer.from(p.vector.buffer))))();
const byIds = home.db.prepare(`SELECT id, vector FROM bench_vectors WHERE id IN (${Array(25).fill('?').join(',')})`);
const idsOnlyResponse = JSON.stringify({
  result: {
    points: points
      .slice(0, 25)
      .map((p, i) => ({ id: p.label, version: 1, score: 0.9 - i / 100, payload: { memory_id: p.id } })),
  },
  status: 'ok',
  time: 0.001,
});
const codecIdsOnly = await latency((q) => {
  JSON.stringify({
    query: Array.from(q),
    filter: { must: [{ key: 'actor', match: { value: 'creator' } }] },
    limit: 25,
    with_vector: false,
    with_payload: ['memory_id'],
  });
  const parsed = JSON.parse(idsOnlyResponse) as { result: { points: { payload: { memory_id: string } }[] } };
  return byIds.all(...parsed.result.points.map((p) => p.payload.memory_id));
});

let embedded: { p50: number; p99: number; mean: number } | string;
try {
  const mod = (await import('../src/core/memory/index.js' as string)) as {
    createEmbeddedStore(deps: unknown): MemoryStore;
  };
  const e = mod.createEmbeddedStore({
    db: home.db,
    paths: home.paths,
    embedder: { ...embedder, embed: () => Promise.reject(new Error('unused')) },
  });
  await e.open();
  // The embedded store indexes the memories table: write the points there as memories, then build the index.
  const writer = createWriter(home.db, createJournal(home.db, systemClock, 'BENCH'), systemClock, () => embedder.id);
  writer.insert(
    points.map((p) => ({ ...p.payload, id: p.id, text: p.id, source: {}, pinned: false, vector: p.vector })),
  );
  await e.flush();
  embedded = await latency((q) => e.search(q, { limit: 25, filter }));
  await e.close();
} catch (err) {
  embedded = `not measured: ${(err as Error).message.split('\n')[0]}`;
}
await s.close();
child.kill('SIGTERM');
home.cleanup();

const report = {
  points: N,
  dims: DIMS,
  queries: Q,
  writes: { single, batched, requestRatio: single.requests / batched.requests, timeRatio: single.ms / batched.ms },
  recall: {
    qdrantStoreViaHttp: viaHttp,
    doubleServerMeanMs: serverMeanMs,
    clientSideMeanMs: viaHttp.mean - serverMeanMs,
    doubleSearchInProcess: inProcess,
    tinyRoundTrip: roundTrip,
    clientCodec: codec,
    clientCodecIdsOnlyPlusSqlite: codecIdsOnly,
    embedded,
  },
};
if (values.json) console.log(JSON.stringify(report, null, 2));
else {
  const f = (x: number): string => x.toFixed(3);
  console.log(`Qdrant store vs Qdrant TEST DOUBLE, ${N} points × ${DIMS} dims, loopback`);
  console.log(
    `writes  single : ${single.requests} requests, ${single.ms.toFixed(0)} ms (${single.pointsPerSec.toFixed(0)} points/s)`,
  );
  console.log(
    `writes  batched: ${batched.requests} requests, ${batched.ms.toFixed(0)} ms (${batched.pointsPerSec.toFixed(0)} points/s)`,
  );
  console.log(
    `        ratio  : ${report.writes.requestRatio.toFixed(1)}× fewer requests, ${report.writes.timeRatio.toFixed(1)}× faster`,
  );
  console.log(
    `recall  store via HTTP  : P50 ${f(viaHttp.p50)} ms, P99 ${f(viaHttp.p99)} ms (25 candidates with vectors)`,
  );
  console.log(
    `        inside double   : mean ${f(serverMeanMs)} ms per query; so client + transport = mean ${f(viaHttp.mean - serverMeanMs)} ms of the ${f(viaHttp.mean)} ms mean`,
  );
  console.log(
    `        double in-proc  : P50 ${f(inProcess.p50)} ms, P99 ${f(inProcess.p99)} ms (the double's brute-force search alone, no HTTP)`,
  );
  console.log(
    `        round trip      : P50 ${f(roundTrip.p50)} ms, P99 ${f(roundTrip.p99)} ms (tiny request, keep-alive)`,
  );
  console.log(
    `        client codec    : P50 ${f(codec.p50)} ms, P99 ${f(codec.p99)} ms (encode query + decode 25 candidates with vectors)`,
  );
  console.log(
    `        (alternative)   : P50 ${f(codecIdsOnly.p50)} ms, P99 ${f(codecIdsOnly.p99)} ms (ids only from Qdrant + 25 vectors from SQLite)`,
  );
  console.log(
    `        → the backend's own overhead per recall ≈ round trip + codec = ${f(roundTrip.p50 + codec.p50)} ms at P50; the rest is the server's search`,
  );
  console.log(
    typeof embedded === 'string'
      ? `        embedded        : ${embedded}`
      : `        embedded store  : P50 ${f(embedded.p50)} ms, P99 ${f(embedded.p99)} ms`,
  );
}
