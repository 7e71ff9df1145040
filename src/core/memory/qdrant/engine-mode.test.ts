/**
 * The engine with memory.backend=qdrant against the Qdrant TEST DOUBLE: the store's AMNESIA and recovery reach the
 * engine's mode (no model here, so the modes are DEAD and OFFLINE: memory down and up without an LLM), with a mode
 * notice on each change, and a memory written while Qdrant was down is recalled after the replay.
 */
import { describe, expect, it, vi } from 'vitest';
import { tempHome } from '../../../testing/temp-home.js';
import { mergeConfig } from '../../config/load.js';
import { createEngine } from '../../engine/create.js';
import type { EngineNotice } from '../../events.js';
import { eachWithQdrantDouble } from '../../../testing/qdrant-store-fixture.js';

const env = eachWithQdrantDouble(() => tempHome());

describe('engine with the qdrant backend', () => {
  it('follows the store into AMNESIA and back, and recalls what was written meanwhile', async () => {
    const config = mergeConfig({
      flags: {
        'memory.backend': 'qdrant',
        'memory.qdrant.url': env.double.url,
        'memory.qdrant.retries': 0,
        'llm.provider': 'offline',
      },
    }).config;
    await env.double.setDown(true);
    const engine = await createEngine({ paths: env.fx.paths, config, llm: null });
    try {
      expect(engine.mode()).toBe('DEAD');
      const notices: EngineNotice[] = [];
      engine.subscribe((n) => notices.push(n));
      const [m] = await engine.memory.add([{ text: 'the spare key is under the blue flowerpot' }]);
      expect(engine.memory.get(m?.id ?? '').text).toMatch(/blue flowerpot/);

      await env.double.setDown(false);
      const report = await engine.probe();
      expect(report.memory.ok).toBe(true);
      expect(report.mode).toBe('OFFLINE');
      await vi.waitFor(() =>
        expect(notices).toContainEqual(expect.objectContaining({ type: 'mode', mode: 'OFFLINE' })),
      );
      const hits = await engine.memory.recall({ text: 'where is the spare key', peek: true });
      expect(hits[0]?.memory.id).toBe(m?.id);
    } finally {
      await engine.close();
    }
  });
});
