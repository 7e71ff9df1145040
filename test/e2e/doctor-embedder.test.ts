/**
 * `progeny doctor`'s embedder check embeds a text for real each time (docs/embeddings.md, "Fallback"): the vector of
 * a fixed check text would be in the embedding cache from the previous doctor, and an embedder broken since (a model
 * server gone, for the provider embedder) would pass as "answers".
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startLlmTestDouble, type LlmTestDouble } from '../../src/testing/llm-double.js';
import { makeHome, type Home } from './cli-harness.js';

type Doctor = { checks: { check: string; status: string; detail: string }[] };

describe('doctor, the embedder check', () => {
  let double: LlmTestDouble | undefined;
  let home: Home;
  afterEach(async () => {
    home.cleanup();
    await double?.close();
  });

  it('the provider embedder: reported when its server is gone, though the last check left a vector behind', async () => {
    double = await startLlmTestDouble();
    home = makeHome({
      PROGENY_LLM_PROVIDER: 'ollama',
      PROGENY_LLM_URL: double.ollamaUrl,
      PROGENY_EMBEDDER_KIND: 'provider',
    });
    await home.json(['init']);
    const check = async () => {
      const r = await home.run(['--json', 'doctor']);
      return (JSON.parse(r.stdout) as Doctor).checks.find((c) => c.check === 'embedder');
    };
    expect(await check()).toMatchObject({ status: 'ok', detail: expect.stringContaining('ollama:nomic-embed-text') });
    await double.close();
    double = undefined;
    expect(await check()).toMatchObject({ status: 'fail', detail: expect.stringMatching(/cannot reach/) });
  }, 60_000);
});
