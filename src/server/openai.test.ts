/** The OpenAI-compatible routes through app.inject (the e2e test drives them with the official SDK). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLlmTestDouble, type LlmTestDouble } from '../testing/llm-double.js';
import { startTestServer, type TestServer } from '../testing/test-server.js';

let llm: LlmTestDouble;
let s: TestServer;
beforeAll(async () => {
  llm = await startLlmTestDouble({ fixture: 'greeting' });
  s = await startTestServer({ 'llm.provider': 'ollama', 'llm.url': llm.url, 'cache.response.ttlMs': 0 });
});
afterAll(async () => {
  await s.close();
  await llm.close();
});

const post = (payload: unknown, headers: Record<string, string> = {}) =>
  s.app.inject({
    method: 'POST',
    url: '/v1/chat/completions',
    headers: { ...s.auth, ...headers },
    payload: payload as object,
  });

describe('OpenAI-compatible API', () => {
  it('lists the model', async () => {
    const r = await s.app.inject({ method: 'GET', url: '/v1/models', headers: s.auth });
    expect(r.json()).toMatchObject({ object: 'list', data: [{ id: 'progeny', object: 'model' }] });
    expect((await s.app.inject({ method: 'GET', url: '/v1/models/progeny', headers: s.auth })).statusCode).toBe(200);
    expect((await s.app.inject({ method: 'GET', url: '/v1/models/gpt-4', headers: s.auth })).statusCode).toBe(404);
  });

  it('answers the newest user message as one companion turn, with the conversation id in a header', async () => {
    const r = await post({
      model: 'progeny',
      messages: [
        { role: 'system', content: 'ignored' },
        { role: 'user', content: [{ type: 'text', text: 'hello!' }] },
      ],
    });
    expect(r.statusCode).toBe(200);
    const body = r.json();
    expect(body).toMatchObject({
      object: 'chat.completion',
      model: 'progeny',
      choices: [{ index: 0, message: { role: 'assistant' }, finish_reason: 'stop' }],
    });
    expect(body.choices[0].message.content).toMatch(/^Hello again!/);
    const conv = r.headers['x-progeny-conversation'] as string;
    expect(conv).toBe(body.progeny.conversationId);
    // The model saw the companion's prompt (identity, state), not the client's system message.
    const sent = llm.requests.at(-1)!.body as { messages: { role: string; content: string }[] };
    expect(sent.messages[0]!.content).not.toContain('ignored');
    const again = await post(
      { model: 'progeny', messages: [{ role: 'user', content: 'more' }] },
      { 'x-progeny-conversation': conv },
    );
    expect(again.headers['x-progeny-conversation']).toBe(conv);
    expect(s.engine.conversations.messages(conv)).toHaveLength(4);
  });

  it("takes the prompt history from the client's earlier messages, as OpenAI clients resend the conversation", async () => {
    const messages = [
      { role: 'system', content: 'you are a pirate' },
      { role: 'user', content: 'my dog is called Biscuit' },
      { role: 'assistant', content: 'What a lovely name!' },
      { role: 'tool', content: 'not a turn' },
      { role: 'user', content: 'what is my dog called?' },
    ];
    expect((await post({ model: 'progeny', messages })).statusCode).toBe(200);
    const sent = (llm.requests.at(-1)!.body as { messages: { role: string; content: string }[] }).messages;
    const i = sent.findIndex((m) => m.content === 'my dog is called Biscuit');
    expect(i).toBeGreaterThan(0);
    expect(sent.slice(i).map((m) => [m.role, m.content.split('\n').at(-1)])).toEqual([
      ['user', 'my dog is called Biscuit'],
      ['assistant', 'What a lovely name!'],
      ['user', 'what is my dog called?'],
    ]);
    expect(JSON.stringify(sent)).not.toMatch(/pirate|not a turn/);
  });

  it('streams chat.completion.chunk frames and [DONE]', async () => {
    const r = await post({ model: 'progeny', stream: true, messages: [{ role: 'user', content: 'hi there' }] });
    const frames = r.body
      .trim()
      .split('\n\n')
      .map((f) => f.replace(/^data: /, ''));
    expect(frames.at(-1)).toBe('[DONE]');
    const chunks = frames
      .slice(0, -1)
      .map(
        (f) =>
          JSON.parse(f) as { object: string; choices: { delta: { content?: string }; finish_reason: string | null }[] },
      );
    expect(chunks.every((c) => c.object === 'chat.completion.chunk')).toBe(true);
    expect(chunks.at(-1)!.choices[0]!.finish_reason).toBe('stop');
    expect(chunks.map((c) => c.choices[0]!.delta.content ?? '').join('')).toMatch(/^Hello again!/);
  });

  it('refuses requests without a user message or with an unknown conversation', async () => {
    expect((await post({ model: 'progeny', messages: [{ role: 'system', content: 'x' }] })).statusCode).toBe(400);
    expect((await post({ model: 'progeny', messages: [] })).json().error.details[0].field).toBe('body.messages');
    expect((await post({ messages: [{ role: 'user', content: 'x' }] })).json().error.details[0].field).toBe(
      'body.model',
    );
    expect(
      (await post({ model: 'p', messages: [{ role: 'user', content: 'x' }] }, { 'x-progeny-conversation': 'nope' }))
        .statusCode,
    ).toBe(404);
  });
});
