import { createServer, type Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Histogram } from '../histogram.js';
import { runOpen } from './open.js';
import { serializeRequest } from './raw-pool.js';

/** A server that answers at once, except that it holds every request arriving in one 300 ms window (a stall). */
let stallFrom = Infinity;
const STALL_MS = 300;
const seen: string[] = [];
const server = createServer((req, res) => {
  req.resume();
  if (seen.length < 5) seen.push(`${req.method} ${req.url} ${req.headers.authorization ?? ''}`);
  const now = Date.now();
  const wait = now >= stallFrom && now < stallFrom + STALL_MS ? stallFrom + STALL_MS - now : 0;
  if (req.url === '/slow') return void setTimeout(() => res.end('{}'), 10);
  if (req.url === '/503') return void res.writeHead(503).end('no');
  // No content-length: node:http answers with a chunked body.
  setTimeout(() => (res.write('{"a":'), res.end('1}')), wait);
});
let url = '';

async function listen(s: Server | ReturnType<typeof createNetServer>): Promise<string> {
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(s.address() as { port: number }).port}`;
}
beforeAll(async () => (url = await listen(server)));
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const load = (path: string, connections: number, durationMs: number, u = url) => ({
  url: u,
  method: 'GET',
  path,
  headers: { authorization: 'Bearer t0k' },
  connections,
  durationMs,
});

describe('open-model generator', () => {
  it('serialises the request once, with Host and the bearer token', () => {
    expect(serializeRequest('GET', '/v1/state', '127.0.0.1:8420', { authorization: 'Bearer x' }).toString()).toBe(
      'GET /v1/state HTTP/1.1\r\nhost: 127.0.0.1:8420\r\nauthorization: Bearer x\r\n\r\n',
    );
    expect(serializeRequest('POST', '/p', 'h', {}).toString()).toContain('content-length: 0\r\n');
    expect(() => serializeRequest('GET', '/', 'h', { x: 'a\r\nb' })).toThrow(/line break/);
  });

  it('sends rate × duration requests on schedule over keep-alive connections and reads chunked bodies', async () => {
    seen.length = 0;
    const raw = await runOpen('t', 'http', load('/v1/state', 4, 1000), 500);
    expect(raw.errors).toBe(0);
    expect(raw.calls).toBe(500);
    expect(raw.ops).toBe(500);
    expect(raw.extra).toMatchObject({ model: 'open', targetRate: 500, connections: 4, reconnects: 0 });
    expect(Number(raw.extra!.achievedSendRate)).toBeGreaterThan(480);
    expect(Number(raw.extra!.achievedSendRate)).toBeLessThan(520);
    expect(seen[0]).toBe('GET /v1/state Bearer t0k');
  });

  it('charges a stall to every request scheduled during it (no coordinated omission)', async () => {
    stallFrom = Date.now() + 400;
    const raw = await runOpen('t', 'http', load('/', 1, 1500), 200);
    stallFrom = Infinity;
    const h = Histogram.decode(raw.histogram);
    expect(raw.errors).toBe(0);
    expect(raw.calls).toBe(300);
    // ~60 of 300 requests were intended during the stall: measured from their intended send time, they waited for
    // the rest of it, so the 85th percentile is tens of ms. Timing from the actual send would show ~one slow request.
    // (Only lower bounds: a loaded machine can make every latency larger, never smaller.)
    expect(h.max / 1e6).toBeGreaterThan(STALL_MS * 0.8);
    expect(h.percentile(85) / 1e6).toBeGreaterThan(20);
  });

  it('charges the wait for a free connection to latency when the server is slower than the rate', async () => {
    // One connection, 10 ms per answer, a request due every 5 ms: the n-th request waits ≈ n × 5 ms for the socket.
    const raw = await runOpen('t', 'http', load('/slow', 1, 500), 200);
    const h = Histogram.decode(raw.histogram);
    expect(raw.ops).toBe(100);
    expect(h.max / 1e6).toBeGreaterThan(400);
    expect(h.percentile(50) / 1e6).toBeGreaterThan(150);
    expect(Number(raw.extra!.queuedPercent)).toBeGreaterThan(50);
    // Timed from the actual send, the same requests look fine: that gap is coordinated omission.
    expect(Number(raw.extra!.serviceP99Ms)).toBeLessThan(h.percentile(50) / 1e6);
  });

  it('flags a server that cannot keep up as invalid', async () => {
    stallFrom = Date.now();
    const raw = await runOpen('t', 'http', load('/', 1, 500), 400, 20);
    stallFrom = Infinity;
    expect(raw.invalid?.join(' ')).toMatch(/fell behind/);
  });

  it('counts non-2xx answers as errors', async () => {
    const raw = await runOpen('t', 'http', load('/503', 2, 300), 100);
    expect(raw.ops).toBe(0);
    expect(raw.errors).toBe(30);
    expect(raw.firstError).toBe('HTTP 503');
  });

  it('counts malformed answers as errors and reconnects, without crashing', async () => {
    let n = 0;
    const bad = createNetServer((sock) =>
      sock.on('data', () => {
        n += 1;
        sock.write(n % 5 === 0 ? 'garbage\r\n\r\n' : 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}');
      }),
    );
    const badUrl = await listen(bad);
    try {
      const raw = await runOpen('t', 'http', load('/', 2, 500, badUrl), 100);
      expect(raw.calls).toBe(50);
      expect(raw.errors).toBeGreaterThanOrEqual(8);
      expect(raw.ops).toBeGreaterThanOrEqual(35);
      expect(raw.firstError).toMatch(/bad status line/);
      expect(Number(raw.extra!.reconnects)).toBeGreaterThan(0);
    } finally {
      await new Promise<void>((r) => bad.close(() => r()));
    }
  });
});
