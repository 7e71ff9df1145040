import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { tempHome } from '../../testing/temp-home.js';
import { PROBE_HEAD, PROBE_TEXT } from './embedder-fingerprint.js';
import { createModelEmbedder } from './embedder-model.js';

/**
 * An addon double: the real interface, constant vectors (but the model's own for the load probe's text, which the
 * load checks: embedder-fingerprint.ts), and batches of more than 4 texts held until released.
 */
const FAKE_ADDON = `
const held = [];
const probe = ${JSON.stringify({ text: PROBE_TEXT, head: PROBE_HEAD })};
const vectors = (n) => new Float32Array(n * 512).fill(1 / Math.sqrt(512));
module.exports = {
  load: async () => ({}),
  release() {},
  isa: () => 'test double',
  tokenizer: () => ({}),
  tokenize: () => Int32Array.of(1),
  embedTexts: (m, t, texts) =>
    texts[0] === probe.text
      ? Promise.resolve(Float32Array.from({ length: 512 }, (_, i) => probe.head[i] ?? 0))
      : texts.length > 4
        ? new Promise((r) => held.push(() => r(vectors(texts.length))))
        : Promise.resolve(vectors(texts.length)),
  held: () => held.length,
  releaseHeld: () => held.splice(0).forEach((r) => r()),
};`;

const home = tempHome();
afterAll(() => home.cleanup());
const ticks = async (n: number) => {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
};

describe('a query on the native runtime while bulk batches run (docs/embeddings.md "The runtime")', () => {
  it('is answered without waiting for a bulk batch, by a slot that never takes bulk work', async () => {
    const addonPath = join(home.paths.home, 'fake-addon.cjs');
    writeFileSync(addonPath, FAKE_ADDON);
    const addon = createRequire(import.meta.url)(addonPath) as { held(): number; releaseHeld(): void };
    const e = createModelEmbedder({ runtime: 'native', addonPath, maxWorkers: 2, batchSize: 16, idleMs: 0 });
    try {
      let bulkDone = false;
      const bulk = e.embed(Array.from({ length: 100 }, (_, i) => `memory ${i}`)).then((v) => ((bulkDone = true), v));
      bulk.catch(() => undefined); // rejected by close() if an assertion fails first
      // Both slots busy with bulk batches that do not end until released (the load reads model.json and vocab.json).
      await vi.waitFor(() => expect(addon.held()).toBe(2), { timeout: 10_000 });
      const answer = await Promise.race([e.embed(['where are my keys?']), ticks(500).then(() => 'still waiting')]);
      expect(answer).not.toBe('still waiting');
      expect((answer as Float32Array[])[0]).toHaveLength(512);
      // The query's slot took no bulk batch: still the same two held, the bulk job not done.
      await ticks(20);
      expect(addon.held()).toBe(2);
      expect(bulkDone).toBe(false);
      for (let i = 0; i < 100 && !bulkDone; i++) {
        addon.releaseHeld();
        await ticks(5);
      }
      expect(await bulk).toHaveLength(100);
    } finally {
      addon.releaseHeld();
      await e.close();
    }
  });
});
