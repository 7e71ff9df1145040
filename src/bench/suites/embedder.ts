/**
 * The semantic embedder's costs (docs/embeddings.md, "Figures"): one query (recall embeds one per search; budget
 * P50 ≤ 15 ms), and ingest with semantic vectors: memories written and their vectors made, per second, with two
 * batches at once as configured (two cores) and with one for the ratio. The default runtime (native when built) and
 * the WebAssembly workers (`.wasm` cases) side by side, so one run compares them on the same machine. Each engine is
 * a real one on its own home; texts are distinct, so no call is answered by the embedding cache.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../core/config/load.js';
import type { Config } from '../../core/config/schema.js';
import { createEngine } from '../../core/engine/create.js';
import type { Engine } from '../../core/engine/engine.js';
import { createModelEmbedder } from '../../core/memory/embedder-model.js';
import { pathsFor } from '../../core/paths.js';
import { sentenceMaker } from '../chat-corpus.js';
import { readEvalFile } from '../recall/eval-file.js';
import type { BenchSuite } from '../suite.js';

export const INGEST_BATCH = 50;

/**
 * The questions of the evaluation sets shipped in fixtures/memory (133, 10 tokens at the median, 19 at most): what a
 * user asks recall. The synthetic chat sentences (about 23 tokens as a question) would measure a query twice as long
 * as a typical one; the model's cost grows with the tokens. The query embedder has no cache, so repeats still run the model.
 */
function evalQuestions(): string[] {
  const dir = fileURLToPath(new URL('../../../fixtures/memory/', import.meta.url));
  const files = ['eval-conversation.json', 'eval-conversation-2.json', 'eval-conversation-3.json'];
  return files.flatMap((f) =>
    readEvalFile(join(dir, f)).conversations.flatMap((c) => c.questions.map((q) => q.question)),
  );
}

async function engineOn(dir: string, flags: Partial<Config>): Promise<Engine> {
  const { config } = loadConfig({ path: join(dir, 'config.json'), env: {}, flags: { 'embedder.idleMs': 0, ...flags } });
  return createEngine({ paths: pathsFor(dir), config, llm: null });
}

export const suite: BenchSuite = {
  name: 'embedder',
  async setup(ctx) {
    const sentence = sentenceMaker(ctx.seed);
    const questions = evalQuestions();
    let q = ctx.seed;
    const query = createModelEmbedder({ idleMs: 0 });
    const queryWasm = createModelEmbedder({ idleMs: 0, runtime: 'wasm' });
    await Promise.all([query.load(), queryWasm.load()]);
    const pool = await engineOn(join(ctx.dir, 'pool'), {});
    const single = await engineOn(join(ctx.dir, 'single'), { 'embedder.workers': 1 });
    const wasm = await engineOn(join(ctx.dir, 'wasm'), { 'embedder.runtime': 'wasm' });
    for (const e of [pool, single, wasm]) {
      await e.warmEmbedder();
      if (e.embedder().state !== 'ready') throw new Error(`the model did not load: ${e.embedder().detail ?? ''}`);
    }
    const ingest = (engine: Engine) => async () => {
      await engine.memory.add(Array.from({ length: INGEST_BATCH }, () => ({ text: sentence() })));
      await engine.memory.embedPending();
    };
    return {
      cases: [
        { name: 'embedder.query', op: () => query.embed([questions[q++ % questions.length] as string]) },
        { name: 'embedder.query.wasm', op: () => queryWasm.embed([questions[q++ % questions.length] as string]) },
        { name: 'embedder.ingest', opsPerCall: INGEST_BATCH, op: ingest(pool) },
        { name: 'embedder.ingest.1worker', opsPerCall: INGEST_BATCH, op: ingest(single) },
        { name: 'embedder.ingest.wasm', opsPerCall: INGEST_BATCH, op: ingest(wasm) },
      ],
      async close() {
        await Promise.all([query.close(), queryWasm.close(), pool.close(), single.close(), wasm.close()]);
      },
    };
  },
};
