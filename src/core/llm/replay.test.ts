import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { drain, HELLO } from '../../testing/llm-provider-helpers.js';
import { createReplayProvider, llmFixturePath, loadRecordedStream } from './replay.js';

describe('replay provider', () => {
  it('replays a recorded Ollama stream in process, recording the request', async () => {
    const chunks = await loadRecordedStream(llmFixturePath('reflection'));
    const llm = createReplayProvider(chunks, { model: 'llama3.2' });
    const out = await drain(llm.chat(HELLO));
    expect(out.tokens).toHaveLength(133);
    expect(out.tokens.join('')).toMatch(/^You asked what I remember/);
    expect(out.done).toMatchObject({ finishReason: 'stop', usage: { completionTokens: 133 } });
    expect(llm.lastRequest).toBe(HELLO);
    expect(await llm.probe()).toMatchObject({
      ok: true,
      provider: 'replay',
      detail: 'replaying a recorded stream of 133 tokens',
    });
  });

  it('paces tokens and stops promptly on abort', async () => {
    const llm = createReplayProvider(await loadRecordedStream(llmFixturePath('greeting', 'openai')), {
      tokenDelayMs: 20,
    });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 70);
    const started = performance.now();
    const out = await drain(llm.chat({ ...HELLO, signal: ac.signal }));
    const elapsed = performance.now() - started;
    expect(out.error).toMatchObject({ code: 'INTERRUPTED' });
    expect(out.tokens.length).toBeGreaterThanOrEqual(2);
    expect(out.tokens.length).toBeLessThan(6);
    expect(elapsed).toBeLessThan(200);
  });

  it('refuses a recording that does not decode, and does not embed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'progeny-replay-'));
    try {
      const path = join(dir, 'cut.ollama.ndjson');
      writeFileSync(path, '{"message":{"role":"assistant","content":"Hi"},"done":false}\n');
      await expect(loadRecordedStream(path)).rejects.toMatchObject({ code: 'LLM_BAD_RESPONSE', exitCode: 4 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    await expect(createReplayProvider([]).embed(['x'], { model: 'm' })).rejects.toMatchObject({
      code: 'LLM_UNSUPPORTED',
    });
  });
});
