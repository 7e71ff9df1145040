import { describe, expect, it } from 'vitest';
import { MockAgent, request } from 'undici';
import { CONFIG_KEYS, CONFIG_SCHEMA, type Config } from '../config/schema.js';
import { drain, HELLO } from '../../testing/llm-provider-helpers.js';
import { createProvider } from './create-provider.js';

function config(over: Partial<Config>): Config {
  const defaults = Object.fromEntries(CONFIG_KEYS.map((k) => [k, CONFIG_SCHEMA[k].default])) as Config;
  return { ...defaults, ...over };
}

describe('createProvider', () => {
  it('returns null for llm.provider=offline', () => {
    expect(createProvider(config({ 'llm.provider': 'offline' }))).toBeNull();
  });

  it('builds the configured provider with a display URL', async () => {
    const o = createProvider(
      config({ 'llm.provider': 'ollama', 'llm.url': 'http://127.0.0.1:11434/', 'llm.model': 'qwen2.5' }),
    );
    expect(o).toMatchObject({ id: 'ollama', model: 'qwen2.5', url: 'http://127.0.0.1:11434' });
    const a = createProvider(config({ 'llm.provider': 'openai', 'llm.url': 'https://api.example.com/v1' }));
    expect(a).toMatchObject({ id: 'openai', url: 'https://api.example.com/v1' });
    await o?.close();
    await a?.close();
  });

  it('refuses an invalid llm.url or one with credentials as a CONFIG error (exit 3), without echoing them', () => {
    expect(() => createProvider(config({ 'llm.url': 'localhost:11434' }))).toThrow(
      expect.objectContaining({ code: 'CONFIG', exitCode: 3 }),
    );
    expect(() => createProvider(config({ 'llm.url': 'ftp://x' }))).toThrow(/http:\/\/ or https:\/\//);
    let err: Error | undefined;
    try {
      createProvider(config({ 'llm.url': 'http://user:hunter22@host/v1' }));
    } catch (e) {
      err = e as Error;
    }
    expect(err?.message).toMatch(/must not contain credentials/);
    expect(err?.message).not.toContain('hunter22');
  });

  it('sends through an injected dispatcher (undici MockAgent) with the configured key and limits', async () => {
    const agent = new MockAgent();
    agent.disableNetConnect();
    let seen: { headers: unknown; body: unknown } | undefined;
    agent
      .get('http://llm.test')
      .intercept({ path: '/v1/chat/completions', method: 'POST' })
      .reply(
        200,
        (opts) => {
          seen = { headers: opts.headers, body: JSON.parse(String(opts.body)) };
          return 'data: {"choices":[{"delta":{"content":"ok"}}]}\n\ndata: {"choices":[{"delta":{},"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n';
        },
        { headers: { 'content-type': 'text/event-stream' } },
      );
    const llm = createProvider(
      config({
        'llm.provider': 'openai',
        'llm.url': 'http://llm.test/v1',
        'llm.apiKey': 'sk-abc-123456',
        'llm.maxTokens': 77,
      }),
      { dispatcher: agent },
    );
    const out = await drain(llm!.chat({ ...HELLO, maxTokens: undefined }));
    expect(out.tokens).toEqual(['ok']);
    expect(seen?.body).toMatchObject({ max_tokens: 77, stream: true });
    expect(JSON.stringify(seen?.headers)).toContain('Bearer sk-abc-123456');
    await llm!.close(); // must leave the injected dispatcher open: it still serves its owner afterwards
    agent.get('http://llm.test').intercept({ path: '/still-open' }).reply(200, 'yes');
    const after = await request('http://llm.test/still-open', { dispatcher: agent });
    expect(await after.body.text()).toBe('yes');
    await agent.close();
  });
});
