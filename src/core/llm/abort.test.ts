import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startLlmTestDouble, type LlmTestDouble } from '../../testing/llm-double.js';
import { chatRequests, drain, HELLO, quickOptions } from '../../testing/llm-provider-helpers.js';
import { createOllamaProvider } from './ollama.js';
import { createOpenAiProvider } from './openai.js';
import type { LlmProvider } from './types.js';

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

/** Resolves with the outcome, or 'still open' if the double has not seen the connection close within ms. */
const closedWithin = (p: Promise<string>, ms: number): Promise<string> =>
  Promise.race([p, new Promise<string>((r) => setTimeout(() => r('still open'), ms))]);

const protocols = [
  { name: 'ollama', make: createOllamaProvider, base: (): string => double.ollamaUrl },
  { name: 'openai', make: createOpenAiProvider, base: (): string => double.openaiUrl },
] as const;

/**
 * Aborts `ms` after the double received the first chat request: an Ollama chat first asks /api/ps, which under load
 * can take longer than a fixed timer.
 */
function abortAfterFirstChat(ac: AbortController, ms: number): { at: number } {
  const aborted = { at: Infinity };
  const poll = setInterval(() => {
    if (chatRequests(double).length === 0 && !ac.signal.aborted) return;
    clearInterval(poll);
    setTimeout(() => {
      aborted.at = performance.now();
      ac.abort();
    }, ms);
  }, 5);
  return aborted;
}

describe.each(protocols)('$name cancellation', (p) => {
  const provider = (over = {}): LlmProvider => {
    const made = p.make(quickOptions(p.base(), over));
    open.push(made);
    return made;
  };

  it('stops promptly on abort mid-stream, keeps the tokens so far, and closes the connection', async () => {
    // Promptly means before the next token would have come: a bound from the stream, not a timing (a loaded CI
    // machine took 112 ms to wind down once, which a fixed 100 ms bound with 40 ms tokens called a failure).
    const tokenDelayMs = 400;
    double.failAlways({ tokenDelayMs }, 'chat');
    const ac = new AbortController();
    let abortedAt = 0;
    const out = await drain(provider().chat({ ...HELLO, signal: ac.signal }), (n) => {
      if (n === 2) {
        abortedAt = performance.now();
        ac.abort();
      }
    });
    expect(performance.now() - abortedAt).toBeLessThan(tokenDelayMs);
    expect(out.tokens).toEqual(['Hello', ' again']);
    expect(out.error).toMatchObject({ code: 'INTERRUPTED', exitCode: 130 });
    expect(await closedWithin(chatRequests(double)[0]!.closed, 500)).toBe('aborted');
  });

  it('closes the connection when the consumer stops reading', async () => {
    double.failAlways({ tokenDelayMs: 40 }, 'chat');
    for await (const chunk of provider().chat(HELLO)) {
      if (chunk.type === 'token') break;
    }
    expect(await closedWithin(chatRequests(double)[0]!.closed, 500)).toBe('aborted');
  });

  it('aborts a request that hangs before its headers', async () => {
    double.fail({ hang: true }, { route: 'chat' });
    const ac = new AbortController();
    const abortedAt = abortAfterFirstChat(ac, 50);
    const out = await drain(provider().chat({ ...HELLO, signal: ac.signal }));
    expect(performance.now() - abortedAt.at).toBeLessThan(350);
    expect(out.error?.code).toBe('INTERRUPTED');
    expect(await closedWithin(chatRequests(double)[0]!.closed, 500)).toBe('aborted');
  });

  it('aborts during a retry wait instead of sleeping it out', async () => {
    double.failAlways({ status: 503 }, 'chat');
    const ac = new AbortController();
    abortAfterFirstChat(ac, 80);
    const started = performance.now();
    const out = await drain(
      provider({ timeoutMs: 10_000, retryBaseMs: 5_000, retryMaxMs: 5_000, random: () => 0.99 }).chat({
        ...HELLO,
        signal: ac.signal,
      }),
    );
    expect(performance.now() - started).toBeLessThan(500);
    expect(out.error?.code).toBe('INTERRUPTED');
    expect(chatRequests(double)).toHaveLength(1);
  });

  it('sends nothing when the signal is already aborted, and the provider still works afterwards', async () => {
    const llm = provider();
    const out = await drain(llm.chat({ ...HELLO, signal: AbortSignal.abort() }));
    expect(out.error?.code).toBe('INTERRUPTED');
    expect(chatRequests(double)).toHaveLength(0);
    const again = await drain(llm.chat(HELLO));
    expect(again.error).toBeUndefined();
    expect(again.done).toBeDefined();
  });
});
