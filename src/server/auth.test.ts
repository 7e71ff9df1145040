import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { redactTokens } from './auth.js';
import { startTestServer, type TestServer } from '../testing/test-server.js';

let s: TestServer;
let chatOnly: string;
let reader: string;
beforeAll(async () => {
  s = await startTestServer(
    {},
    {
      rateLimit: { perSecond: 1, burst: 12 },
      plugins: [
        async (app) => {
          app.get('/v1/sync/ping', { config: { auth: false } }, async () => ({ relay: true }));
        },
      ],
    },
  );
  chatOnly = s.engine.devices.add('phone', ['chat']).token;
  reader = s.engine.devices.add('reader', ['memory:read']).token;
});
afterAll(() => s.close());

const get = (url: string, token?: string, headers: Record<string, string> = {}) =>
  s.app.inject({ method: 'GET', url, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers } });

describe('authentication', () => {
  it('lets /v1/health through without a token', async () => {
    const r = await get('/v1/health');
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ mode: 'OFFLINE', api: 'v1' });
  });

  it('refuses a missing token with 401 UNAUTHENTICATED and a hint', async () => {
    const r = await get('/v1/state');
    expect(r.statusCode).toBe(401);
    expect(r.json().error).toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(r.json().error.hint).toMatch(/Bearer/);
  });

  it('refuses an unknown token and a malformed header with 401', async () => {
    expect((await get('/v1/state', 'not-a-real-token')).json().error.code).toBe('INVALID_TOKEN');
    const r = await get('/v1/state', undefined, { authorization: 'Basic abc' });
    expect(r.statusCode).toBe(401);
    expect(r.json().error.code).toBe('UNAUTHENTICATED');
  });

  it('checks the capability of a device token on every route (403 FORBIDDEN)', async () => {
    expect((await get('/v1/state', chatOnly)).statusCode).toBe(200);
    const r = await get('/v1/memories', chatOnly);
    expect(r.statusCode).toBe(403);
    expect(r.json().error).toMatchObject({ code: 'FORBIDDEN' });
    expect(r.json().error.message).toContain('memory:read');
    expect((await get('/v1/memories', reader)).statusCode).toBe(200);
    expect((await get('/v1/state', reader)).statusCode).toBe(403);
    expect((await get('/metrics', chatOnly)).statusCode).toBe(403);
    const post = await s.app.inject({
      method: 'POST',
      url: '/v1/state',
      headers: { authorization: `Bearer ${chatOnly}` },
      payload: { deltas: { trust: 0.1 }, reason: 'x' },
    });
    expect(post.statusCode).toBe(403);
  });

  it('refuses a revoked token on the next request', async () => {
    const { device, token } = s.engine.devices.add('old laptop', ['chat']);
    expect((await get('/v1/state', token)).statusCode).toBe(200);
    s.engine.devices.revoke(device.id);
    const r = await get('/v1/state', token);
    expect(r.statusCode).toBe(401);
    expect(r.json().error.code).toBe('INVALID_TOKEN');
  });

  it('takes a token from the query only on the WebSocket upgrade, in no spelling on HTTP routes', async () => {
    for (const key of ['access_token', 'access%5Ftoken', 'access%5ftoken']) {
      const r = await get(`/v1/state?${key}=${chatOnly}`);
      expect(r.statusCode, key).toBe(401);
      expect(r.json().error.hint).toContain('only on the WebSocket upgrade');
    }
  });

  it('never logs a token from the query, however its name is encoded', async () => {
    const logged: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      logged.push(String(chunk));
      return true;
    });
    const loud = await startTestServer({}, { log: 'info' });
    try {
      for (const key of ['access_token', 'access%5Ftoken', 'ACCESS%5FTOKEN', 'access_token%00'])
        await loud.app.inject({ method: 'GET', url: `/v1/ws?x=1&${key}=SECRET-${key.length}&y=2` });
    } finally {
      spy.mockRestore();
      await loud.close();
    }
    const text = logged.join('');
    expect(text).toContain('[redacted]');
    expect(text).toContain('x=1');
    expect(text).not.toMatch(/SECRET-(12|14)\b/);
    expect(redactTokens('/v1/ws?access%5Ftoken=abc&b=c')).toBe('/v1/ws?access%5Ftoken=[redacted]&b=c');
    expect(redactTokens('/v1/ws?a=%E0%A4%A&access_token=abc')).toBe('/v1/ws?a=%E0%A4%A&access_token=[redacted]');
  });

  it('skips bearer auth for plugin routes that opt out (the sync relay signs its requests)', async () => {
    const r = await get('/v1/sync/ping');
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({ relay: true });
  });
});

describe('rate limiting per token', () => {
  it('answers 429 with Retry-After once a device token spends its burst; other tokens are unaffected', async () => {
    const { token } = s.engine.devices.add('chatty', ['chat']);
    const codes: number[] = [];
    for (let i = 0; i < 14; i++) codes.push((await get('/v1/state', token)).statusCode);
    expect(codes.slice(0, 12).every((c) => c === 200)).toBe(true);
    expect(codes.at(-1)).toBe(429);
    const r = await get('/v1/state', token);
    expect(r.headers['retry-after']).toBeDefined();
    expect(r.json().error.code).toBe('RATE_LIMITED');
    for (let i = 0; i < 10; i++) expect((await get('/v1/state', s.auth.authorization.slice(7))).statusCode).toBe(200);
    const metrics = await get('/metrics', s.auth.authorization.slice(7));
    expect(metrics.body).toMatch(/progeny_http_rate_limited_total \d+/);
  });
});
