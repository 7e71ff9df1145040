import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startLlmTestDouble, type LlmTestDouble } from '../../testing/llm-double.js';
import { chatRequests, closedPort, drain, HELLO, quickOptions } from '../../testing/llm-provider-helpers.js';
import type { HttpProviderOptions } from './http-provider.js';
import { createOllamaProvider } from './ollama.js';
import { createOpenAiProvider } from './openai.js';
import { loadRecordedStream, llmFixturePath } from './replay.js';
import type { LlmProvider } from './types.js';

let double: LlmTestDouble;
const open: LlmProvider[] = [];

beforeAll(async () => {
  double = await startLlmTestDouble({ apiKey: 'sk-test-1234567890' });
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((p) => p.close()));
  double.reset();
});
afterAll(() => double.close());

const protocols = [
  { name: 'ollama', make: createOllamaProvider, base: (): string => double.ollamaUrl },
  { name: 'openai', make: createOpenAiProvider, base: (): string => double.openaiUrl },
] as const;

function provider(p: (typeof protocols)[number], over: Partial<HttpProviderOptions> = {}): LlmProvider {
  const made = p.make(quickOptions(p.base(), { apiKey: 'sk-test-1234567890', ...over }));
  open.push(made);
  return made;
}

describe.each(protocols)('$name provider over loopback', (p) => {
  it('streams the recorded tokens in order, then done', async () => {
    const expected = (await loadRecordedStream(llmFixturePath('greeting'))).flatMap((c) =>
      c.type === 'token' ? [c.text] : [],
    );
    const out = await drain(provider(p).chat(HELLO));
    expect(out.error).toBeUndefined();
    expect(out.tokens).toEqual(expected);
    expect(out.tokens.join('')).toContain('café visit with Zoë go? 🌿');
    expect(out.done).toMatchObject({ type: 'done', model: 'llama3.2', finishReason: 'stop' });
    expect(chatRequests(double)).toHaveLength(1);
  });

  it('streams correctly when every chunk arrives in 3-byte pieces (UTF-8 split across reads)', async () => {
    double.fail({ fragmentBytes: 3 });
    const out = await drain(provider(p).chat(HELLO));
    expect(out.error).toBeUndefined();
    expect(out.tokens.join('')).toBe(
      "Hello again! It's good to hear from you — how did the café visit with Zoë go? 🌿 I remember you were nervous about it.",
    );
  });

  it('reuses keep-alive connections for consecutive requests', async () => {
    const llm = provider(p);
    for (let i = 0; i < 6; i++) expect((await drain(llm.chat(HELLO))).error).toBeUndefined();
    const ports = new Set(double.requests.map((r) => r.remotePort));
    expect(double.requests.every((r) => r.outcome === 'completed' && r.remotePort !== undefined)).toBe(true);
    // undici may open a second socket while the first is finishing its reply; six sockets would mean no reuse.
    expect(ports.size).toBeLessThanOrEqual(2);
  });

  it('serves concurrent streams through one provider without mixing them', async () => {
    double.failAlways({ tokenDelayMs: 2 }, 'chat');
    const llm = provider(p);
    const outs = await Promise.all(Array.from({ length: 5 }, () => drain(llm.chat(HELLO))));
    const texts = new Set(outs.map((o) => o.tokens.join('')));
    expect(outs.every((o) => o.error === undefined && o.done !== undefined)).toBe(true);
    expect([...texts]).toEqual([outs[0]?.tokens.join('')]);
    expect(outs[0]?.tokens).toHaveLength(28);
  });

  it('embeds texts in order, one vector per text', async () => {
    const llm = provider(p);
    const [a, b, a2] = await llm.embed(['alpha', 'beta', 'alpha'], { model: 'nomic-embed-text' });
    expect(a).toBeInstanceOf(Float32Array);
    expect(a?.length).toBe(16);
    expect([...(a as Float32Array)]).toEqual([...(a2 as Float32Array)]);
    expect([...(a as Float32Array)]).not.toEqual([...(b as Float32Array)]);
    expect(await llm.embed([], { model: 'nomic-embed-text' })).toEqual([]);
    expect(double.requests).toHaveLength(1);
  });

  it('reports a missing embedding model with the embedding model name', async () => {
    const err = await provider(p)
      .embed(['x'], { model: 'mxbai-embed-large' })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'LLM_MODEL_MISSING', exitCode: 4 });
    expect((err as Error).message).toContain('mxbai-embed-large');
  });

  it('probes a reachable server with the model available', async () => {
    const r = await provider(p).probe();
    expect(r).toMatchObject({ ok: true, reachable: true, modelAvailable: true, provider: p.name });
    expect(r.models).toEqual(['llama3.2:latest', 'nomic-embed-text:latest']);
    expect(r.detail).toContain('llama3.2 is available');
  });

  it('probes an unreachable port quickly as LLM_UNREACHABLE', async () => {
    const port = await closedPort();
    const url = p.name === 'ollama' ? `http://127.0.0.1:${port}` : `http://127.0.0.1:${port}/v1`;
    const started = performance.now();
    const r = await provider(p, { url }).probe();
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(r).toMatchObject({ ok: false, reachable: false, error: { code: 'LLM_UNREACHABLE' } });
    expect(r.detail).toContain('connection refused');
    expect(r.error?.hint).toMatch(p.name === 'ollama' ? /start Ollama/ : /llm\.url/);
  });

  it('fails chat on an unreachable port with LLM_UNREACHABLE after its retries', async () => {
    const port = await closedPort();
    const url = p.name === 'ollama' ? `http://127.0.0.1:${port}` : `http://127.0.0.1:${port}/v1`;
    const out = await drain(provider(p, { url }).chat(HELLO));
    expect(out.error).toMatchObject({ code: 'LLM_UNREACHABLE', exitCode: 4 });
    expect(out.tokens).toEqual([]);
  });
});

describe('Ollama specifics', () => {
  it('sends the native request: messages, stream, options.temperature and num_predict', async () => {
    await drain(provider(protocols[0]).chat(HELLO));
    const req = chatRequests(double)[0];
    expect(req?.path).toBe('/api/chat');
    expect(req?.body).toEqual({
      model: 'llama3.2',
      messages: HELLO.messages,
      stream: true,
      options: { temperature: 0.84, num_predict: 128 },
    });
  });

  it('uses llm.maxTokens when the request sets none', async () => {
    await drain(provider(protocols[0], { maxTokens: 99 }).chat({ ...HELLO, maxTokens: undefined }));
    expect(chatRequests(double)[0]?.body).toMatchObject({ options: { num_predict: 99 } });
  });

  it('probes a server without the model: reachable, not ok, with the pull hint', async () => {
    const r = await provider(protocols[0], { model: 'qwen2.5:7b' }).probe();
    expect(r).toMatchObject({ ok: false, reachable: true, modelAvailable: false, version: '0.6.5' });
    expect(r.error).toMatchObject({
      code: 'LLM_MODEL_MISSING',
      actions: [{ action: 'pull-model', args: { model: 'qwen2.5:7b' } }],
    });
    expect(double.requests.map((q) => q.path).sort()).toEqual(['/api/ps', '/api/show', '/api/tags', '/api/version']);
  });
});

describe('OpenAI-compatible specifics', () => {
  it('sends the chat request with stream, temperature, max_tokens and the bearer token', async () => {
    await drain(provider(protocols[1]).chat(HELLO));
    const req = double.requests[0];
    expect(req?.path).toBe('/v1/chat/completions');
    expect(req?.headers.authorization).toBe('Bearer sk-test-1234567890');
    expect(req?.body).toEqual({
      model: 'llama3.2',
      messages: HELLO.messages,
      stream: true,
      temperature: 0.84,
      max_tokens: 128,
    });
  });

  it('sends no authorization header without a key, and the server refuses with LLM_AUTH', async () => {
    const out = await drain(provider(protocols[1], { apiKey: '' }).chat(HELLO));
    expect(double.requests[0]?.headers.authorization).toBeUndefined();
    expect(out.error).toMatchObject({ code: 'LLM_AUTH', exitCode: 4, hint: expect.stringContaining('llm.apiKey') });
    expect(double.requests).toHaveLength(1); // 401 is not retried
  });

  it('probe warns but stays ok when the model is not listed (the list is not authoritative)', async () => {
    const r = await provider(protocols[1], { model: 'gpt-4o-mini' }).probe();
    expect(r).toMatchObject({ ok: true, reachable: true, modelAvailable: false });
    expect(r.detail).toContain('does not list model gpt-4o-mini');
  });
});
