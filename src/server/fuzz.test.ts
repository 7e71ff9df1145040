/**
 * Fuzz-style: random and malformed bodies, query strings and path parameters sent to every route the server has
 * (read from the server itself, so a new route is fuzzed without editing this test). Never a 5xx, never a crash, and
 * every error is the documented JSON shape. Seeded, so a failure reproduces.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../testing/test-server.js';
import { relayForEngine } from './relay/index.js';
import { seededRandom } from '../core/random.js';

let s: TestServer;
beforeAll(async () => {
  // With the sync relay plugin, as `progeny serve` runs it: its routes are fuzzed too.
  s = await startTestServer({}, (engine) => {
    const relay = relayForEngine(engine);
    return { bodyLimit: 16 * 1024, plugins: [relay.plugin], onClose: () => relay.close() };
  });
});
afterAll(() => s.close());

const FIELDS = [
  'message',
  'stream',
  'memories',
  'text',
  'kind',
  'deltas',
  'trust',
  'reason',
  'doc',
  'model',
  'messages',
  'role',
  'content',
  'conversationId',
  'salience',
  'pinned',
  'allowBase',
  '__proto__',
  'constructor',
  'id',
  'q',
  'k',
];
const STRINGS = [
  '',
  ' ',
  'hi',
  'x'.repeat(5000),
  '\u0000',
  '💥🧠',
  '../../etc/passwd',
  '{"a":',
  'null',
  '-1',
  '1e309',
  'true',
  '<script>',
  "' OR 1=1 --",
  'user',
  'fact',
  'trust',
];

function value(r: () => number, depth = 0): unknown {
  const pick = Math.floor(r() * (depth > 3 ? 6 : 9));
  switch (pick) {
    case 0:
      return null;
    case 1:
      return r() < 0.5;
    case 2:
      return [0, -1, 1, 0.5, 2, 1e308, -0, 3.7, Number.MAX_SAFE_INTEGER + 2][Math.floor(r() * 9)];
    case 3:
    case 4:
      return STRINGS[Math.floor(r() * STRINGS.length)];
    case 5:
      return Math.floor(r() * 1e6);
    case 6:
    case 7: {
      const o: Record<string, unknown> = {};
      const n = Math.floor(r() * 5);
      for (let i = 0; i < n; i++) o[FIELDS[Math.floor(r() * FIELDS.length)]!] = value(r, depth + 1);
      return o;
    }
    default:
      return Array.from({ length: Math.floor(r() * 4) }, () => value(r, depth + 1));
  }
}

function body(r: () => number): { payload: string | Buffer; type: string } {
  const k = r();
  if (k < 0.55) return { payload: JSON.stringify(value(r)), type: 'application/json' };
  if (k < 0.7) {
    const j = JSON.stringify(value(r));
    return { payload: j.slice(0, Math.floor(r() * j.length)), type: 'application/json' };
  }
  if (k < 0.8)
    return {
      payload: Buffer.from(Array.from({ length: Math.floor(r() * 300) }, () => Math.floor(r() * 256))),
      type: 'application/json',
    };
  if (k < 0.88)
    return {
      payload: JSON.stringify(value(r)),
      type: ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data', ''][Math.floor(r() * 4)]!,
    };
  if (k < 0.94) return { payload: JSON.stringify({ message: 'x'.repeat(20_000) }), type: 'application/json' };
  return { payload: '', type: 'application/json' };
}

function query(r: () => number): string {
  const n = Math.floor(r() * 4);
  const keys = [
    'limit',
    'cursor',
    'q',
    'k',
    'kind',
    'status',
    'order',
    'version',
    'before',
    'variable',
    'kinds',
    'actor',
    'x',
  ];
  const vals = ['0', '-5', '1', '50', '99999', 'abc', '', '%00', 'fact', 'all', 'asc', '1.5', 'NaN', 'true', '💥'];
  const parts = Array.from(
    { length: n },
    () => `${keys[Math.floor(r() * keys.length)]}=${encodeURIComponent(vals[Math.floor(r() * vals.length)]!)}`,
  );
  return parts.length ? `?${parts.join('&')}` : '';
}

const PARAMS = ['x', 'abcdefgh', 'ZZZZZZZZZZ', '%2e%2e', 'a'.repeat(100), '💥💥💥💥💥💥', '0'];

describe('fuzz: random and malformed requests to every route', () => {
  it('never answers 5xx and keeps serving', async () => {
    const routes = s.app.progeny.routes;
    expect(routes.length).toBeGreaterThanOrEqual(30);
    expect(routes.some((r) => r.url.startsWith('/v1/sync/'))).toBe(true);
    const r = seededRandom(20261203);
    const failures: string[] = [];
    const statuses: Record<number, number> = {};
    for (const route of routes) {
      for (let i = 0; i < 40; i++) {
        const url =
          route.url.replace(/:(\w+)/g, () => encodeURIComponent(PARAMS[Math.floor(r() * PARAMS.length)]!)) + query(r);
        const b = route.method === 'GET' || route.method === 'DELETE' ? undefined : body(r);
        const res = await s.app.inject({
          method: route.method as 'GET',
          url,
          headers: { ...s.auth, ...(b?.type ? { 'content-type': b.type } : {}) },
          ...(b ? { payload: b.payload } : {}),
        });
        statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
        if (res.statusCode >= 500)
          failures.push(
            `${route.method} ${url} ${String(b?.payload).slice(0, 120)} → ${res.statusCode} ${res.body.slice(0, 200)}`,
          );
        if (res.statusCode >= 400) {
          const json = res.json();
          const err = json.error;
          // /mcp speaks JSON-RPC (docs/mcp.md): its refusals are JSON-RPC errors with a numeric code.
          const codeType = route.url === '/mcp' && json.jsonrpc === '2.0' ? 'number' : 'string';
          if (typeof err?.code !== codeType || typeof err?.message !== 'string')
            failures.push(`${route.method} ${url}: error shape ${res.body.slice(0, 200)}`);
        }
      }
    }
    // Not vacuous: the fuzz reached handlers (2xx) as well as every kind of refusal.
    for (const code of [200, 400, 404, 413, 415]) expect(statuses[code], `status ${code}`).toBeGreaterThan(0);
    expect(failures).toEqual([]);
    expect((await s.app.inject({ method: 'GET', url: '/v1/health' })).statusCode).toBe(200);
  }, 120_000);
});
