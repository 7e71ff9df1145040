import { createServer } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Histogram } from '../histogram.js';
import { runClosedRaw } from './closed-raw.js';

let inFlight = 0;
let maxInFlight = 0;
const server = createServer((req, res) => {
  inFlight += 1;
  maxInFlight = Math.max(maxInFlight, inFlight);
  req.resume();
  setTimeout(() => {
    inFlight -= 1;
    if (req.url === '/401') res.writeHead(401).end();
    else res.end('{"ok":true}');
  }, 2);
});
let url = '';
beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('raw closed-model generator', () => {
  it('keeps exactly `connections` requests in flight and times each from its send', async () => {
    maxInFlight = 0;
    const raw = await runClosedRaw('c', 'http', {
      url,
      method: 'GET',
      path: '/',
      headers: {},
      connections: 3,
      durationMs: 300,
    });
    expect(raw.errors).toBe(0);
    expect(raw.ops).toBeGreaterThan(30); // ≤ 3 × 300 / 2 ms = 450 on an idle machine
    expect(maxInFlight).toBe(3);
    expect(Histogram.decode(raw.histogram).min / 1e6).toBeGreaterThan(0.9); // the server's 2 ms hold (node timers may fire ~1 ms early)
    expect(raw.extra).toMatchObject({ model: 'closed', generator: 'raw', connections: 3 });
  });

  it('counts refused requests as errors', async () => {
    const raw = await runClosedRaw('c', 'http', {
      url,
      method: 'GET',
      path: '/401',
      headers: {},
      connections: 2,
      durationMs: 100,
    });
    expect(raw.ops).toBe(0);
    expect(raw.errors).toBeGreaterThan(0);
    expect(raw.firstError).toBe('HTTP 401');
  });
});

describe('raw generators without a server', () => {
  it('fail with a clear BENCH_CONNECT error, not a crash', async () => {
    const dead = createServer();
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
    const port = (dead.address() as { port: number }).port;
    await new Promise<void>((r) => dead.close(() => r()));
    await expect(
      runClosedRaw('c', 'http', {
        url: `http://127.0.0.1:${port}`,
        method: 'GET',
        path: '/',
        headers: {},
        connections: 2,
        durationMs: 100,
      }),
    ).rejects.toMatchObject({
      code: 'BENCH_CONNECT',
      message: expect.stringMatching(/cannot connect to 127\.0\.0\.1/),
    });
  });
});
