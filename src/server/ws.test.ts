/** The WebSocket API over a real socket: auth at the upgrade, the message schema, chat streaming, notices, cancel. */
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startLlmTestDouble, type LlmTestDouble } from '../testing/llm-double.js';
import { OWNER_TOKEN, startTestServer, type TestServer } from '../testing/test-server.js';

let llm: LlmTestDouble;
let s: TestServer;
let wsUrl: string;
beforeAll(async () => {
  llm = await startLlmTestDouble({ fixture: 'reflection', tokenDelayMs: 5 });
  s = await startTestServer({ 'llm.provider': 'ollama', 'llm.url': llm.url, 'cache.response.ttlMs': 0 });
  await s.app.listen({ port: 0, host: '127.0.0.1' });
  wsUrl = `ws://127.0.0.1:${(s.app.server.address() as { port: number }).port}/v1/ws`;
});
afterAll(async () => {
  await s.close();
  await llm.close();
});

interface Msg {
  type: string;
  id?: string;
  [k: string]: unknown;
}

async function open(
  token = OWNER_TOKEN,
): Promise<{ ws: WebSocket; messages: Msg[]; next(pred: (m: Msg) => boolean, ms?: number): Promise<Msg> }> {
  const ws = new WebSocket(wsUrl, { headers: { authorization: `Bearer ${token}` } });
  const messages: Msg[] = [];
  ws.on('message', (d) => messages.push(JSON.parse(d.toString()) as Msg));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  let seen = 0;
  return {
    ws,
    messages,
    async next(pred, ms = 5_000) {
      const end = Date.now() + ms;
      for (;;) {
        for (; seen < messages.length; seen++) {
          const m = messages[seen]!;
          if (pred(m)) {
            seen++;
            return m;
          }
        }
        if (Date.now() > end)
          throw new Error(`no matching message; got ${JSON.stringify(messages.map((m) => m.type))}`);
        await delay(5);
      }
    },
  };
}

const rejected = (headers: Record<string, string>, url = wsUrl): Promise<number> =>
  new Promise((resolve) => {
    const ws = new WebSocket(url, { headers });
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('open', () => resolve(101));
    ws.on('error', () => undefined);
  });

/** How an upgrade ends: 101, or the refusal's status, error code and Retry-After. */
const upgrade = (token: string, url = wsUrl): Promise<{ status: number; code?: string; retryAfter?: string }> =>
  new Promise((resolve) => {
    const ws = new WebSocket(url, { headers: { authorization: `Bearer ${token}` } });
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          code: (JSON.parse(body) as { error: { code: string } }).error.code,
          ...(res.headers['retry-after'] ? { retryAfter: res.headers['retry-after'] } : {}),
        }),
      );
    });
    ws.on('open', () => {
      ws.close();
      resolve({ status: 101 });
    });
    ws.on('error', () => undefined);
  });

describe('WebSocket /v1/ws', () => {
  it('refuses upgrades without a valid token (401) or without the chat capability (403)', async () => {
    expect(await rejected({})).toBe(401);
    expect(await rejected({ authorization: 'Bearer wrong' })).toBe(401);
    const { token } = s.engine.devices.add('reader', ['memory:read']);
    expect(await rejected({ authorization: `Bearer ${token}` })).toBe(403);
    expect(await rejected({ authorization: `Bearer ${OWNER_TOKEN}` }, wsUrl.replace('/v1/ws', '/v1/other'))).toBe(404);
  });

  it('says hello, answers ping and state.get by id, and reports bad messages with the field', async () => {
    const c = await open();
    expect((await c.next((m) => m.type === 'hello')).api).toBe('v1');
    c.ws.send(JSON.stringify({ type: 'ping', id: 'p1' }));
    expect(await c.next((m) => m.type === 'pong')).toMatchObject({ id: 'p1' });
    c.ws.send(JSON.stringify({ type: 'state.get', id: 's1' }));
    const st = await c.next((m) => m.type === 'state');
    expect(st.id).toBe('s1');
    expect((st.state as { trust: number }).trust).toBeGreaterThan(0);
    c.ws.send('{not json');
    expect(((await c.next((m) => m.type === 'error')).error as { code: string }).code).toBe('VALIDATION');
    c.ws.send(JSON.stringify({ type: 'chat', id: 'c0', message: '' }));
    const bad = await c.next((m) => m.type === 'error');
    expect(bad.id).toBe('c0');
    expect((bad.error as { details: { field: string }[] }).details[0]!.field).toBe('message');
    c.ws.send(JSON.stringify({ type: 'dance' }));
    expect(
      ((await c.next((m) => m.type === 'error')).error as { details: { field: string }[] }).details[0]!.field,
    ).toBe('type');
    c.ws.close();
  });

  it('streams a chat turn as chat.event messages and pushes limbic and memory notices to subscribers', async () => {
    const c = await open();
    c.ws.send(JSON.stringify({ type: 'subscribe', id: 'sub', topics: ['limbic', 'memory'] }));
    expect((await c.next((m) => m.type === 'subscribed')).topics).toEqual(['limbic', 'memory']);
    c.ws.send(JSON.stringify({ type: 'chat', id: 't1', message: 'I had a wonderful day today!' }));
    const done = await c.next((m) => m.type === 'chat.event' && (m.event as { type: string }).type === 'done', 10_000);
    expect(done.id).toBe('t1');
    const events = c.messages.filter((m) => m.type === 'chat.event').map((m) => (m.event as { type: string }).type);
    expect(events[0]).toBe('start');
    expect(events.filter((t) => t === 'token').length).toBeGreaterThan(3);
    expect(c.messages.some((m) => m.type === 'notice' && (m.notice as { type: string }).type === 'limbic')).toBe(true);
    await c.next((m) => m.type === 'notice' && (m.notice as { type: string }).type === 'memory', 5_000);
    c.ws.close();
  });

  it('pushes heritage and limbic notices for changes made through the API', async () => {
    const c = await open();
    c.ws.send(JSON.stringify({ type: 'subscribe', topics: ['heritage', 'limbic'] }));
    await c.next((m) => m.type === 'subscribed');
    const cur = s.engine.heritage.current();
    const put = await s.app.inject({
      method: 'PUT',
      url: '/v1/heritage',
      headers: s.auth,
      payload: { doc: { ...cur.doc, notes: 'ws test' }, reason: 'test' },
    });
    expect(put.statusCode).toBe(201);
    expect((await c.next((m) => m.type === 'notice')).notice).toEqual({ type: 'heritage', version: cur.version + 1 });
    await s.app.inject({
      method: 'POST',
      url: '/v1/state',
      headers: s.auth,
      payload: { deltas: { warmth: 0.05 }, reason: 'test' },
    });
    expect(((await c.next((m) => m.type === 'notice')).notice as { type: string }).type).toBe('limbic');
    c.ws.close();
  });

  it('continues a reply only when it was cut: continueReply reaches the engine, which refuses a whole one', async () => {
    const c = await open();
    c.ws.send(JSON.stringify({ type: 'chat', id: 'w1', message: 'hello there' }));
    const done = await c.next((m) => m.type === 'chat.event' && (m.event as { type: string }).type === 'done', 10_000);
    const conversationId = (
      c.messages.find((m) => m.id === 'w1' && m.type === 'chat.event')!.event as { conversationId: string }
    ).conversationId;
    expect(done.id).toBe('w1');
    c.ws.send(JSON.stringify({ type: 'chat', id: 'w2', continueReply: true, conversationId }));
    const refused = await c.next(
      (m) =>
        m.id === 'w2' &&
        (m.type === 'error' || (m.type === 'chat.event' && (m.event as { type: string }).type === 'error')),
    );
    expect(JSON.stringify(refused)).toMatch(/nothing to continue/);
    c.ws.close();
  });

  it('cancels a running chat (the partial reply is kept as interrupted), and a closed socket aborts its turns', async () => {
    const c = await open();
    const conversationId = s.engine.conversations.create('creator').id;
    c.ws.send(JSON.stringify({ type: 'chat', id: 't2', message: 'go on for a while', conversationId }));
    await c.next((m) => m.type === 'chat.event' && (m.event as { type: string }).type === 'token');
    c.ws.send(JSON.stringify({ type: 'cancel', id: 't2' }));
    const done = await c.next((m) => m.type === 'chat.event' && (m.event as { type: string }).type === 'done');
    expect((done.event as { interrupted: boolean }).interrupted).toBe(true);
    expect(s.engine.conversations.messages(conversationId)[1]!.status).toBe('interrupted');

    c.ws.send(JSON.stringify({ type: 'chat', id: 't3', message: 'another long one' }));
    await c.next((m) => m.type === 'chat.event' && (m.event as { type: string }).type === 'token');
    c.ws.terminate();
    const end = Date.now() + 5_000;
    while ((s.app.progeny.inFlightTurns() > 0 || s.app.progeny.wsSessions() > 0) && Date.now() < end) await delay(10);
    expect(s.app.progeny.inFlightTurns()).toBe(0);
    expect(s.app.progeny.wsSessions()).toBe(0);
  });

  it('applies the per-token rate limit to a device token’s messages (the owner’s token is not limited)', async () => {
    const { token } = s.engine.devices.add('chatty phone', ['chat']);
    const c = await open(token);
    for (let i = 0; i < 130; i++) c.ws.send(JSON.stringify({ type: 'ping', id: `r${i}` }));
    const limited = await c.next((m) => m.type === 'error' && (m.error as { code: string }).code === 'RATE_LIMITED');
    expect(limited.id).toMatch(/^r\d+$/);
    // The burst (100) less the one the upgrade took.
    expect(c.messages.filter((m) => m.type === 'pong').length).toBeGreaterThanOrEqual(99);
    c.ws.close();
    const owner = await open();
    for (let i = 0; i < 130; i++) owner.ws.send(JSON.stringify({ type: 'ping', id: `o${i}` }));
    await owner.next((m) => m.type === 'pong' && m.id === 'o129');
    expect(owner.messages.some((m) => m.type === 'error')).toBe(false);
    owner.ws.close();
  });

  it('bounds the sockets a device token holds open (server.wsPerToken, 16); the owner’s token is not bounded', async () => {
    const { token } = s.engine.devices.add('many tabs', ['chat']);
    const tabs = [];
    for (let i = 0; i < 16; i++) tabs.push(await open(token));
    expect(await upgrade(token)).toEqual({ status: 429, code: 'TOO_MANY_CONNECTIONS' });
    const first = tabs.shift()!;
    await new Promise((resolve) => {
      first.ws.once('close', resolve);
      first.ws.close();
    });
    const end = Date.now() + 5_000;
    let again = await upgrade(token);
    while (again.status !== 101 && Date.now() < end) again = await upgrade(token);
    expect(again.status).toBe(101);
    const owners = [];
    for (let i = 0; i < 20; i++) owners.push(await open());
    for (const c of [...tabs, ...owners]) c.ws.close();
  });

  it('counts a device token’s upgrades against its rate limit (429 with Retry-After)', async () => {
    const limited = await startTestServer({ 'server.rateBurst': 3, 'server.rateLimit': 0.5 });
    try {
      await limited.app.listen({ port: 0, host: '127.0.0.1' });
      const url = `ws://127.0.0.1:${(limited.app.server.address() as { port: number }).port}/v1/ws`;
      const { token } = limited.engine.devices.add('reconnect loop', ['chat']);
      for (let i = 0; i < 3; i++) expect((await upgrade(token, url)).status).toBe(101);
      expect(await upgrade(token, url)).toEqual({ status: 429, code: 'RATE_LIMITED', retryAfter: '2' });
    } finally {
      await limited.close();
    }
  });

  it('takes the token from ?access_token= on the upgrade (browsers cannot send headers)', async () => {
    const { token } = s.engine.devices.add('browser', ['chat']);
    expect(await rejected({}, `${wsUrl}?access_token=${token}`)).toBe(101);
    expect(await rejected({}, `${wsUrl}?access%5Ftoken=${token}`)).toBe(101);
    expect(await rejected({}, `${wsUrl}?access_token=nope`)).toBe(401);
  });

  it('ends a revoked token’s open socket within one message, with close code 4401', async () => {
    const { device, token } = s.engine.devices.add('lost phone', ['chat']);
    const c = await open(token);
    const closed = new Promise<{ code: number; reason: string }>((resolve) =>
      c.ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
    c.ws.send(JSON.stringify({ type: 'subscribe', id: 's', topics: ['limbic'] }));
    await c.next((m) => m.type === 'subscribed');
    s.engine.devices.revoke(device.id);
    // A notice for its topic is not delivered; the socket is closed instead.
    await s.app.inject({
      method: 'POST',
      url: '/v1/state',
      headers: s.auth,
      payload: { deltas: { trust: 0.01 }, reason: 'test' },
    });
    c.ws.send(JSON.stringify({ type: 'ping', id: 'after' }));
    expect(await closed).toEqual({ code: 4401, reason: 'token revoked' });
    expect(c.messages.some((m) => m.type === 'pong' || m.type === 'notice')).toBe(false);
    expect(c.messages.at(-1)).toMatchObject({ type: 'error', error: { code: 'INVALID_TOKEN' } });
  });

  it('ends the socket of a token that lost the chat capability (4403), mid-chat too', async () => {
    const { device, token } = s.engine.devices.add('kid tablet', ['chat', 'memory:read']);
    const c = await open(token);
    const closed = new Promise<number>((resolve) => c.ws.once('close', (code) => resolve(code)));
    c.ws.send(JSON.stringify({ type: 'chat', id: 'c1', message: 'tell me a long story' }));
    await c.next((m) => m.type === 'chat.event' && (m.event as { type: string }).type === 'token');
    s.engine.devices.setCapabilities(device.id, ['memory:read']);
    expect(await closed).toBe(4403);
    const tokens = c.messages.filter((m) => m.type === 'chat.event').length;
    await delay(100);
    expect(c.messages.filter((m) => m.type === 'chat.event').length).toBe(tokens);
    const end = Date.now() + 5_000;
    while (s.app.progeny.inFlightTurns() > 0 && Date.now() < end) await delay(10);
    expect(s.app.progeny.inFlightTurns()).toBe(0);
  });

  it('keeps serving while a client stops reading (backpressure)', async () => {
    const slow = await open();
    (slow.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket.pause();
    slow.ws.send(JSON.stringify({ type: 'chat', id: 'slow', message: 'say a lot' }));
    const fast = await open();
    fast.ws.send(JSON.stringify({ type: 'ping', id: 'f' }));
    expect((await fast.next((m) => m.type === 'pong')).id).toBe('f');
    (slow.ws as unknown as { _socket: { resume(): void } })._socket.resume();
    await slow.next((m) => m.type === 'chat.event' && (m.event as { type: string }).type === 'done', 10_000);
    slow.ws.close();
    fast.ws.close();
  });
});
