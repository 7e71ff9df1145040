import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ProgenyError } from '../errors.js';
import { startLlmTestDouble, type LlmTestDouble } from '../../testing/llm-double.js';
import { chatRequests, drain, HELLO, quickOptions } from '../../testing/llm-provider-helpers.js';
import { createOllamaProvider } from './ollama.js';
import { createOpenAiProvider } from './openai.js';
import { isRetryable, retryDelay } from './retry.js';
import type { LlmProvider } from './types.js';

describe('which model failures are retried', () => {
  it('retries connection failures, cuts, 429 and 5xx only; prefers the server-given wait', () => {
    const http = (status: number, retryAfterMs?: number): Error =>
      new ProgenyError('LLM_HTTP', 'x', { details: { provider: 'ollama', status, retryAfterMs } });
    expect(isRetryable(http(503))).toBe(true);
    expect(isRetryable(http(400))).toBe(false);
    expect(isRetryable(new ProgenyError('LLM_AUTH', 'x'))).toBe(false);
    expect(isRetryable(new ProgenyError('LLM_UNREACHABLE', 'x'))).toBe(true);
    expect(isRetryable(new Error('plain'))).toBe(false);
    expect(retryDelay(http(503, 1234), 0, { retries: 1, baseMs: 1, maxMs: 1 })).toBe(1234);
  });
});

describe('retries against the double', () => {
  let double: LlmTestDouble;
  const open: LlmProvider[] = [];
  beforeAll(async () => {
    double = await startLlmTestDouble();
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((p) => p.close()));
    double.reset();
  });
  afterAll(() => double.close());

  const ollama = (over = {}): LlmProvider => {
    const p = createOllamaProvider(quickOptions(double.url, over));
    open.push(p);
    return p;
  };

  it('retries failures before the first token, then streams once without duplicating anything', async () => {
    double.fail({ status: 500 }, { times: 2, route: 'chat' });
    const out = await drain(ollama().chat(HELLO));
    expect(out.error).toBeUndefined();
    expect(chatRequests(double)).toHaveLength(3);
    expect(out.tokens.join('')).toMatch(/^Hello again! It's good/);
    expect(out.tokens.filter((t) => t === 'Hello')).toHaveLength(1);
  });

  it('never retries once a token has been yielded, even when retries remain', async () => {
    double.fail({ status: 500 }, { times: 1, route: 'chat' });
    double.fail({ cutAfterChunks: 4, tokenDelayMs: 10 }, { route: 'chat' });
    const out = await drain(ollama({ retries: 5 }).chat(HELLO));
    expect(out.error?.code).toBe('LLM_STREAM_CUT');
    // The double flushes what it wrote before dropping the connection: exactly the first four tokens arrive.
    expect(out.tokens).toEqual(['Hello', ' again', '!', " It's"]);
    expect(chatRequests(double)).toHaveLength(2);
  });

  it('waits as long as Retry-After asks, beyond its own backoff ceiling', async () => {
    double.fail({ status: 429, retryAfter: '1' }, { route: 'chat' });
    const out = await drain(ollama({ retryBaseMs: 5, retryMaxMs: 20 }).chat(HELLO));
    expect(out.error).toBeUndefined();
    const [first, second] = chatRequests(double);
    expect((second?.receivedAt ?? 0) - (first?.receivedAt ?? 0)).toBeGreaterThanOrEqual(950);
  });

  it('gives up at once when Retry-After exceeds the time left', async () => {
    double.fail({ status: 429, retryAfter: '30' }, { route: 'chat' });
    const started = performance.now();
    const out = await drain(ollama({ timeoutMs: 2_000 }).chat(HELLO));
    expect(performance.now() - started).toBeLessThan(500);
    expect(out.error).toMatchObject({ code: 'LLM_RATE_LIMITED', hint: 'wait 30 s and try again' });
    expect(chatRequests(double)).toHaveLength(1);
  });

  it('does not retry with retries = 0', async () => {
    double.fail({ status: 503 }, { route: 'chat' });
    const out = await drain(ollama({ retries: 0 }).chat(HELLO));
    expect(out.error).toMatchObject({ code: 'LLM_HTTP', details: { status: 503 } });
    expect(chatRequests(double)).toHaveLength(1);
  });

  it('retries embeddings (idempotent) on 503', async () => {
    double.fail({ status: 503 }, { route: 'embed' });
    const p = createOpenAiProvider(quickOptions(double.openaiUrl));
    open.push(p);
    const v = await p.embed(['a', 'b'], { model: 'nomic-embed-text' });
    expect(v).toHaveLength(2);
    expect(double.requests).toHaveLength(2);
  });
});

describe('retry waits longer than the idle timeout', () => {
  it('are not cut short by the silence timer of the failed attempt', async () => {
    const double = await startLlmTestDouble();
    const llm = createOllamaProvider(
      quickOptions(double.url, {
        connectTimeoutMs: 20,
        idleTimeoutMs: 30,
        retryBaseMs: 200,
        retryMaxMs: 200,
        random: () => 0.99,
      }),
    );
    try {
      for (const fault of [{ status: 503 }, { dropConnection: true }]) {
        double.reset();
        double.fail(fault, { route: 'chat' });
        const out = await drain(llm.chat(HELLO));
        expect(out.error).toBeUndefined();
        expect(chatRequests(double)).toHaveLength(2);
      }
    } finally {
      await llm.close();
      await double.close();
    }
  });
});
