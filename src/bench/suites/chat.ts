/**
 * Chat-turn overhead: a whole engine turn (perceive, limbic update, recall over N seeded memories, prompt assembly,
 * streaming, persisting both messages, queueing the exchange as a memory) with the model replaced by a recorded
 * stream replayed in process with no delay, so what is measured is everything but the model.
 */
import { join } from 'node:path';
import { loadConfig } from '../../core/config/load.js';
import { createEngine } from '../../core/engine/create.js';
import type { Engine } from '../../core/engine/engine.js';
import { initializeHome } from '../../core/engine/init.js';
import { createReplayProvider, llmFixturePath, loadRecordedStream } from '../../core/llm/index.js';
import { pathsFor } from '../../core/paths.js';
import { sentenceMaker, sizeLabel } from '../chat-corpus.js';
import { embedSeed } from '../seed-vectors.js';
import type { BenchSuite } from '../suite.js';

/** 2025-01-01: the seeded memories' first timestamp. */
const SEED_T0 = Date.UTC(2025, 0, 1);
const DEFAULT_MEMORIES = 10_000;

/** One engine turn to its end (every event consumed); an error event or a missing done event fails the call. */
export async function wholeTurn(engine: Engine, message: string, conversationId: string): Promise<void> {
  let done = false;
  for await (const e of engine.turn({ message, conversationId })) {
    if (e.type === 'error') throw new Error(e.error.message);
    if (e.type === 'done') done = true;
  }
  if (!done) throw new Error('the turn ended without a done event');
}

export const suite: BenchSuite = {
  name: 'chat',
  async setup(ctx) {
    const paths = pathsFor(ctx.dir);
    // Defaults only (no user env): the response cache is off so every turn goes through the (replayed) model.
    const { config } = loadConfig({
      path: join(ctx.dir, 'config.json'),
      env: {},
      flags: { 'cache.response.ttlMs': 0 },
    });
    const llm = createReplayProvider(await loadRecordedStream(llmFixturePath('greeting')), { tokenDelayMs: 0 });
    const engine = await createEngine({ paths, config, llm });
    initializeHome(engine);
    const n = ctx.memories ?? DEFAULT_MEMORIES;
    const sentence = sentenceMaker(ctx.seed);
    // Seeded through a JSONL import, the bulk path a user takes: it ends with the ANN index built, as in a home
    // that has been idle for a moment (seeding with add() would leave every memory in the exact-search tail).
    const lines = function* (): Generator<string> {
      // A minute apart, as a conversation's memories would be: an id-less line's id is made of its time and text
      // (README "How memory works"), and the seeded sentences repeat now and then, so a shared time would merge them.
      for (let i = 0; i < n; i++)
        yield JSON.stringify({ v: 1, text: sentence(), kind: 'fact', createdAt: SEED_T0 + i * 60_000 });
    };
    const report = await engine.memory.importJsonl(lines());
    if (report.errors.length || report.imported !== n)
      throw new Error(`seeding imported ${report.imported} of ${n} memories: ${report.errors[0]?.message ?? ''}`);
    // The semantic model embeds after the write: a home whose vectors are all made, so no background re-embedding
    // competes with the measured turns (each turn's recall then includes its query embedding, docs/embeddings.md).
    // The seed's vectors come from the previous run's file when there is one (seed-vectors.ts): minutes at 100k.
    await embedSeed(engine, paths.db, `chat-${ctx.seed}-${n}`);
    await engine.memory.reindex({ staleOnly: true });
    // As in `chat`: each turn's memory is embedded in the background, its cost shared with the turns measured.
    engine.embedInBackground();
    const conversationId = engine.conversations.create('creator').id;
    const message = sentenceMaker(ctx.seed + 1);
    return {
      cases: [
        {
          name: `chat.turn@${sizeLabel(n)}`,
          op: () => wholeTurn(engine, message(), conversationId),
        },
      ],
      close: () => engine.close(),
    };
  },
};
