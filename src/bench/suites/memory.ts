/**
 * The memory benchmark suite (docs/performance.md): recall k=5 at 10k and 100k memories through the whole MemoryApi
 * (embed, ANN + tail, SQLite resolve, score, MMR), durable batched ingest, and the built-in embedder alone.
 * It prints nothing: the runner (`progeny bench core`, scripts/bench-memory.ts) times and reports.
 */
import { createBuiltinEmbedder } from '../../core/memory/index.js';
import { createCorpus } from '../corpus.js';
import type { BenchSuite, PreparedSuite, SuiteContext } from '../suite.js';
import { annRecallAt10 } from './memory-quality.js';
import { fill, openBenchHome } from './memory-home.js';

export const INGEST_BATCH = 100;

export const memorySuite: BenchSuite = {
  name: 'memory',
  async setup(ctx: SuiteContext): Promise<PreparedSuite> {
    const corpus = createCorpus(ctx.seed);
    const large = ctx.memories ?? 100_000;
    const small = Math.min(10_000, large);
    const homes = [
      await openBenchHome(ctx.dir, 'small'),
      await openBenchHome(ctx.dir, 'large'),
      await openBenchHome(ctx.dir, 'ingest'),
    ];
    const [h10k, h100k, ingest] = homes as [(typeof homes)[0], (typeof homes)[0], (typeof homes)[0]];
    await fill(h10k, corpus, small);
    await fill(h100k, corpus, large);
    const queries = Array.from({ length: 500 }, () => corpus.query());
    const texts = Array.from({ length: 5000 }, () => corpus.memory());
    const embedder = createBuiltinEmbedder();
    let q = 0;
    let t = 0;
    const recallOn = (home: typeof h10k) => () =>
      home.memory.recall({ text: queries[q++ % queries.length] as string, k: 5, actor: 'creator', peek: true });
    const recallQuality = (home: typeof h10k) => async () => ({
      recallAt10: await annRecallAt10(home.db, home.store, embedder, queries.slice(0, 200)),
    });
    const label = (n: number) => (n >= 1000 ? `${Math.round(n / 1000)}k` : String(n));
    return {
      cases: [
        { name: `memory.recall@${label(small)}`, op: recallOn(h10k), quality: recallQuality(h10k) },
        { name: `memory.recall@${label(large)}`, op: recallOn(h100k), quality: recallQuality(h100k) },
        {
          name: 'memory.ingest',
          opsPerCall: INGEST_BATCH,
          op: () =>
            ingest.memory.add(
              Array.from({ length: INGEST_BATCH }, () => ({ text: texts[t++ % texts.length] as string })),
            ),
        },
        { name: 'memory.embed', op: () => embedder.embed([texts[t++ % texts.length] as string]) },
      ],
      async close() {
        for (const h of homes) await h.close();
      },
    };
  },
};
