/**
 * A corrupt model file, end to end (docs/embeddings.md, "Fallback"): the built binary with the semantic model's
 * package redirected (src/testing/model-dir.cjs) to a copy with a truncated weight shard. A labelled fallback,
 * never a crash, nothing lost.
 */
import { truncateSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { modelCopy } from '../../src/testing/model-copy.js';
import { makeHome, type Home } from './cli-harness.js';

type Doctor = { checks: { check: string; status: string; detail: string }[] };
const preload = fileURLToPath(new URL('../../src/testing/model-dir.cjs', import.meta.url));

describe('a corrupt model file', () => {
  let home: Home;
  let copy: ReturnType<typeof modelCopy>;
  afterEach(() => {
    home.cleanup();
    copy.cleanup();
  });

  // The check's recall embeds a fixed query whose vector the first doctor left in the embedding cache: the model must
  // be loaded for the check to say anything about it.
  it('doctor says the model is unavailable even when its check needs no new vector', async () => {
    home = makeHome();
    copy = modelCopy();
    await home.json(['init']);
    const check = async (env: NodeJS.ProcessEnv = {}) =>
      (await home.json<Doctor>(['doctor'], { env })).checks.find((c) => c.check === 'embedder');
    expect(await check()).toMatchObject({ status: 'ok' });
    truncateSync(join(copy.dir, 'group1-shard3of7'), 1000);
    const broken = { NODE_OPTIONS: `--require ${preload}`, PROGENY_TEST_MODEL_DIR: copy.dir };
    expect(await check(broken)).toMatchObject({
      status: 'warn',
      detail: expect.stringMatching(/builtin-use-lite-v1\/512 is unavailable \(.*did not load/),
    });
  }, 120_000);
});
