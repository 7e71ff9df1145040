import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ProgenyError } from '../errors.js';
import { startLlmTestDouble, type LlmFault, type LlmTestDouble } from '../../testing/llm-double.js';
import { drain, HELLO, quickOptions } from '../../testing/llm-provider-helpers.js';
import type { HttpProviderOptions } from './http-provider.js';
import { createOllamaProvider } from './ollama.js';
import { createOpenAiProvider } from './openai.js';
import type { LlmProvider } from './types.js';

const KEY = 'sk-live-SECRET-abcdef123456';
let double: LlmTestDouble;
const open: LlmProvider[] = [];

beforeAll(async () => {
  double = await startLlmTestDouble({ apiKey: KEY });
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((p) => p.close()));
  double.reset();
});
afterAll(() => double.close());

interface Case {
  name: string;
  fault: LlmFault;
  /** Applied to every request (otherwise only the first). */
  always?: boolean;
  options?: Partial<HttpProviderOptions>;
  code: string;
  hint: RegExp | { ollama: RegExp; openai: RegExp };
  message?: RegExp;
  /** Requests the double should see (retries included). */
  requests: number;
  tokensBeforeError?: 'none' | 'some';
}

const cases: Case[] = [
  {
    name: 'HTTP 500 (retried, then given up)',
    fault: { status: 500 },
    always: true,
    code: 'LLM_HTTP',
    hint: /check its log/,
    message: /HTTP 500: internal server error/,
    requests: 3,
  },
  { name: 'HTTP 503 once, then success', fault: { status: 503 }, code: 'OK', hint: /./, requests: 2 },
  {
    name: 'HTTP 429 (retried)',
    fault: { status: 429, retryAfter: '0' },
    always: true,
    code: 'LLM_RATE_LIMITED',
    hint: /wait/,
    requests: 3,
  },
  { name: 'HTTP 401', fault: { status: 401 }, code: 'LLM_AUTH', hint: /llm\.apiKey/, message: /HTTP 401/, requests: 1 },
  {
    name: 'HTTP 403',
    fault: { status: 403, message: 'forbidden' },
    code: 'LLM_AUTH',
    hint: /llm\.apiKey/,
    requests: 1,
  },
  {
    name: 'HTTP 400',
    fault: { status: 400, message: 'temperature must be ≤ 2' },
    code: 'LLM_HTTP',
    hint: /llm\.url/,
    message: /temperature must be/,
    requests: 1,
  },
  {
    name: 'model missing (404)',
    fault: { modelMissing: true },
    code: 'LLM_MODEL_MISSING',
    hint: { ollama: /pull the model/, openai: /set llm\.model/ },
    message: /model "llama3\.2" is not available/,
    requests: 1,
  },
  {
    name: 'non-JSON line mid-stream',
    fault: { nonJson: true },
    code: 'LLM_BAD_RESPONSE',
    hint: /llm\.provider=/,
    message: /not JSON: this is not json/,
    requests: 1,
    tokensBeforeError: 'some',
  },
  {
    name: 'wrong shape mid-stream',
    fault: { wrongShape: true },
    code: 'LLM_BAD_RESPONSE',
    hint: /llm\.url/,
    message: /should be/,
    requests: 1,
    tokensBeforeError: 'some',
  },
  {
    name: 'an HTML page instead of a stream',
    fault: { html: true },
    code: 'LLM_BAD_RESPONSE',
    hint: /llm\.url/,
    message: /HTML page/,
    requests: 1,
  },
  {
    name: 'stream cut mid-way (socket destroyed)',
    fault: { cutAfterChunks: 3, tokenDelayMs: 20 },
    code: 'LLM_STREAM_CUT',
    hint: /crashed or restarted/,
    message: /cut off/,
    requests: 1,
    tokensBeforeError: 'some',
  },
  {
    name: 'stream cut before any token (retried)',
    fault: { cutAfterChunks: 0 },
    always: true,
    code: 'LLM_STREAM_CUT',
    hint: /crashed/,
    requests: 3,
  },
  {
    name: 'connection dropped before any reply (retried)',
    fault: { dropConnection: true },
    always: true,
    code: 'LLM_STREAM_CUT',
    hint: /crashed/,
    message: /never came/,
    requests: 3,
  },
  {
    name: 'stream ends without its final message',
    fault: { omitFinal: true },
    code: 'LLM_STREAM_CUT',
    hint: /crashed/,
    message: /before its final message/,
    requests: 1,
    tokensBeforeError: 'some',
  },
  {
    name: 'server hangs (total timeout)',
    fault: { hang: true },
    options: { timeoutMs: 300 },
    code: 'LLM_TIMEOUT',
    hint: /llm\.timeoutMs/,
    message: /within 300 ms/,
    requests: 1,
  },
  {
    name: 'headers late (idle timeout)',
    fault: { delayHeadersMs: 600 },
    options: { connectTimeoutMs: 50, idleTimeoutMs: 100 },
    code: 'LLM_TIMEOUT',
    hint: /llm\.idleTimeoutMs/,
    message: /did not start its reply within 150 ms/,
    requests: 1,
  },
  {
    name: 'tokens too slow (idle timeout)',
    fault: { tokenDelayMs: 500 },
    options: { idleTimeoutMs: 150 },
    code: 'LLM_TIMEOUT',
    hint: /llm\.idleTimeoutMs/,
    message: /silent for 150 ms/,
    requests: 1,
  },
];

const protocols = [
  { name: 'ollama' as const, make: createOllamaProvider, base: (): string => double.ollamaUrl },
  { name: 'openai' as const, make: createOpenAiProvider, base: (): string => double.openaiUrl },
];

describe.each(protocols)('$name failure modes', (p) => {
  it.each(cases)('$name → $code', async (c) => {
    if (c.always) double.failAlways(c.fault, 'chat');
    else double.fail(c.fault, { route: 'chat' });
    const llm = p.make(quickOptions(p.base(), { apiKey: KEY, ...c.options }));
    open.push(llm);
    const out = await drain(llm.chat(HELLO));
    expect(double.requests.filter((r) => r.route === 'chat')).toHaveLength(c.requests);
    if (c.code === 'OK') {
      expect(out.error).toBeUndefined();
      expect(out.done).toBeDefined();
      return;
    }
    const err = out.error as ProgenyError;
    expect(err).toMatchObject({ name: 'ProgenyError', code: c.code, exitCode: 4 });
    const hint = c.hint instanceof RegExp ? c.hint : c.hint[p.name];
    expect(err.hint).toMatch(hint);
    if (c.message) expect(err.message).toMatch(c.message);
    expect(out.done).toBeUndefined();
    if (c.tokensBeforeError === 'some') expect(out.tokens.length).toBeGreaterThan(0);
    else expect(out.tokens).toEqual([]);
    expect(JSON.stringify({ ...err.toJSON(), stack: err.stack })).not.toContain(KEY);
  });

  it('scrubs the API key from a server message that echoes it', async () => {
    for (const status of [401, 500, 400]) {
      const fault = { status, message: `Incorrect API key provided: ${KEY}` };
      double.fail(fault, { route: 'chat' });
      double.fail(fault, { route: p.name === 'ollama' ? 'tags' : 'models' });
      const llm = p.make(quickOptions(p.base(), { apiKey: KEY, retries: 0 }));
      open.push(llm);
      const out = await drain(llm.chat(HELLO));
      const err = out.error as ProgenyError;
      expect(err.message).toContain('Incorrect API key provided: ***');
      expect(JSON.stringify({ ...err.toJSON(), stack: err.stack, hint: err.hint })).not.toContain(KEY);
      const probe = await llm.probe();
      expect(JSON.stringify(probe)).not.toContain(KEY);
      double.reset();
    }
  });
});
