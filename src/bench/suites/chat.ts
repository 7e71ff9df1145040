/**
 * Chat-turn overhead: a whole engine turn (perceive, limbic update, recall over N seeded memories, prompt assembly,
 * streaming, persisting both messages, queueing the exchange as a memory) with the model replaced by a recorded
 * stream replayed in process with no delay, so what is measured is everything but the model.
 */
import { join } from 'node:path';
import { loadConfig } from '../../core/config/load.js';
import { createEngine } from '../../core/engine/create.js';
import { initializeHome } from '../../core/engine/init.js';
import { createReplayProvider, llmFixturePath, loadRecordedStream } from '../../core/llm/index.js';
import { pathsFor } from '../../core/paths.js';
import { sentenceMaker, sizeLabel } from '../chat-corpus.js';
import type { BenchSuite } from '../suite.js';

const DEFAULT_MEMORIES = 10_000;
const BATCH = 1_000;

export const suite: BenchSuite = {
  name: 'chat',
  async setup(ctx) {
    const paths = pathsFor(ctx.dir);
    // Defaults only (no user env): the response cache is off so every turn goes through the (replayed) model.
    const { config } = loadConfig({ path: join(ctx.dir, 'config.json'), env: {}, flags: { 'cache.response.ttlMs': 0 } });
    const llm = createReplayProvider(await loadRecordedStream(llmFixturePath('greeting')), { tokenDelayMs: 0 });
    const engine = await createEngine({ paths, config, llm });
    initializeHome(engine);
    const n = ctx.memories ?? DEFAULT_MEMORIES;
    const sentence = sentenceMaker(ctx.seed);
    for (let done = 0; done < n; done += BATCH) {
      await engine.memory.add(Array.from({ length: Math.min(BATCH, n - done) }, () => ({ text: sentence(), kind: 'fact' as const })));
    }
    const conversationId = engine.conversations.create('creator').id;
    const message = sentenceMaker(ctx.seed + 1);
    return {
      cases: [
        {
          name: `chat.turn@${sizeLabel(n)}`,
          async op() {
            let done = false;
            for await (const e of engine.turn({ message: message(), conversationId })) {
              if (e.type === 'error') throw new Error(e.error.message);
              if (e.type === 'done') done = true;
            }
            if (!done) throw new Error('the turn ended without a done event');
          },
        },
      ],
      close: () => engine.close(),
    };
  },
};
