import { createServer } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Histogram } from '../histogram.js';
import { runOpen } from './open.js';

/** A server that answers at once, except that it holds every request arriving in one 300 ms window (a stall). */
let stallFrom = Infinity;
const STALL_MS = 300;
const server = createServer((req, res) => {
  req.resume();
  const now = Date.now();
  const wait = now >= stallFrom && now < stallFrom + STALL_MS ? stallFrom + STALL_MS - now : 0;
  setTimeout(() => res.end('{}'), wait);
});
let url = '';
beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('open-model generator', () => {
  it('charges a stall to every request scheduled during it (no coordinated omission)', async () => {
    stallFrom = Date.now() + 400;
    const raw = await runOpen('t', 'http', { url, method: 'GET', path: '/', headers: {}, connections: 1, durationMs: 1500 }, 200);
    const h = Histogram.decode(raw.histogram);
    expect(raw.errors).toBe(0);
    expect(raw.calls).toBe(300);
    // ~60 of 300 requests were intended during the stall: measured from their intended send time, they waited for
    // the rest of it, so the 85th percentile is tens of ms. Timing from the actual send would show ~one slow request.
    // (Only lower bounds: a loaded machine can make every latency larger, never smaller.)
    expect(h.max / 1e6).toBeGreaterThan(STALL_MS * 0.8);
    expect(h.percentile(85) / 1e6).toBeGreaterThan(20);
  });

  it('flags a server that cannot keep up as invalid', async () => {
    stallFrom = Date.now();
    const raw = await runOpen('t', 'http', { url, method: 'GET', path: '/', headers: {}, connections: 1, durationMs: 500 }, 400, 20);
    expect(raw.invalid?.join(' ')).toMatch(/fell behind/);
  });
});
