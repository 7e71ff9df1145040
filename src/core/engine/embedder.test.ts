import { afterEach, describe, expect, it, vi } from 'vitest';
import { tempHome } from '../../testing/temp-home.js';
import { mergeConfig } from '../config/load.js';
import { createEngine } from './create.js';
import type { Engine } from './engine.js';

let engine: Engine | undefined;
const home = tempHome('progeny-engine-embedder-');
afterEach(async () => {
  await engine?.close();
  home.cleanup();
});

describe('the engine and the semantic model (docs/embeddings.md, "The worker threads")', () => {
  it('an idle engine (serve, chat) does not hold the model: it is unloaded after embedder.idleMs and loaded again', async () => {
    const { config } = mergeConfig({ flags: { 'llm.provider': 'offline', 'embedder.idleMs': 100 } });
    engine = await createEngine({ paths: home.paths, config, llm: null });
    engine.embedInBackground();
    await vi.waitFor(() => expect(engine!.embedder().state).toBe('ready'), { timeout: 60_000, interval: 20 });
    await vi.waitFor(() => expect(engine!.embedder().state).toBe('idle'), { timeout: 10_000, interval: 20 });
    // A write wakes it up: the background re-embedder loads the model again for the new memory's vector.
    const [m] = await engine.memory.add([{ text: 'I adopted a kitten' }]);
    await vi.waitFor(() => expect(engine!.memory.pendingVectors().new).toBe(0), { timeout: 60_000, interval: 20 });
    const hits = await engine.memory.recall({ text: 'a new cat', k: 1, actor: 'creator', peek: true });
    expect(hits[0]?.memory.id).toBe(m!.id);
    await vi.waitFor(() => expect(engine!.embedder().state).toBe('idle'), { timeout: 10_000, interval: 20 });
    expect(engine.embedder().preferred).toBe('builtin-use-lite-v1/512');
  }, 90_000);
});
