/**
 * The fast path (fast-path.ts) answers exactly as fastify does: two servers on one engine (a fixed clock, so the
 * state's body is the same), one with the fast path and one without, asked the same things over real sockets
 * (app.inject would skip the fast path): same status, headers in the same order, body, refusals, rate limit and
 * metrics; and what it must not answer reaches fastify.
 */
import { Agent, request } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../core/clock.js';
import { mergeConfig } from '../core/config/load.js';
import { createEngine } from '../core/engine/create.js';
import { initializeHome } from '../core/engine/init.js';
import type { LocalEngine } from '../core/engine/local-engine.js';
import { tempHome } from '../testing/temp-home.js';
import { createServer, type ServerOptions } from './create.js';

const OWNER = 'owner-token-for-fast-path-tests-0123456789';
const BIG = JSON.stringify({ text: 'x'.repeat(2000) });
const home = tempHome('progeny-fast-');
let engine: LocalEngine;
let fast: FastifyInstance;
let slow: FastifyInstance;
const ports = new Map<FastifyInstance, number>();

/** A route of a plugin, on the fast path, whose body is large enough to be compressed (so it is handed on). */
const bigRoute: NonNullable<ServerOptions['plugins']>[number] = async (app) => {
  const fastRead = { type: 'application/json; charset=utf-8', body: () => BIG };
  app.get('/v1/test-big', { config: { cap: 'chat', fastRead } }, (_req, reply) => reply.type(fastRead.type).send(BIG));
};

async function start(fastPath: boolean): Promise<FastifyInstance> {
  const rateLimit = { perSecond: 0.001, burst: 3 };
  const app = await createServer(engine, { token: OWNER, fastPath, rateLimit, plugins: [bigRoute] });
  await app.listen({ port: 0, host: '127.0.0.1' });
  ports.set(app, (app.server.address() as { port: number }).port);
  return app;
}

beforeAll(async () => {
  const { config } = mergeConfig({ flags: { 'llm.provider': 'offline', 'embedder.kind': 'hash' } });
  engine = await createEngine({ paths: home.paths, config, clock: fixedClock(1_800_000_000_000) });
  initializeHome(engine);
  fast = await start(true);
  slow = await start(false);
});
afterAll(async () => {
  await fast.close();
  await slow.close();
  await engine.close();
  home.cleanup();
});

interface Answer {
  status: number;
  /** Header names and values in the order sent; the date and generated request ids as placeholders. */
  headers: string[];
  body: string;
}

function ask(
  app: FastifyInstance,
  path: string,
  headers: Record<string, string> = {},
  method = 'GET',
  agent?: Agent,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: ports.get(app), path, method, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const raw = res.rawHeaders.map((v, i, all) =>
          all[i - 1] === 'Date' ? '<date>' : /^[0-9a-f]{16}$/.test(v) && all[i - 1] === 'x-request-id' ? '<id>' : v,
        );
        resolve({ status: res.statusCode ?? 0, headers: raw, body: Buffer.concat(chunks).toString('latin1') });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const metric = (line: string): number =>
  Number(new RegExp(`^${line.replace(/[{}"]/g, '\\$&')} (\\d+)`, 'm').exec(engine.metrics.render())?.[1] ?? 0);
const STATE_OK = 'progeny_http_requests_total{route="/v1/state",method="GET",status="200"}';

describe('the fast path answers GET /v1/state as fastify does', () => {
  it('the same reply, counted in the same metrics, with a generated or the client’s request id', async () => {
    const before = { served: fast.progeny.fastPathServed(), ok: metric(STATE_OK) };
    for (const headers of [bearer(OWNER), { ...bearer(OWNER), 'x-request-id': 'client-id-1' }]) {
      const [a, b] = [await ask(fast, '/v1/state', headers), await ask(slow, '/v1/state', headers)];
      expect(a.status).toBe(200);
      expect(a).toEqual(b);
    }
    expect((await ask(fast, '/v1/state', bearer(OWNER))).headers).toContain('<id>');
    expect(fast.progeny.fastPathServed() - before.served).toBe(3);
    expect(slow.progeny.fastPathServed()).toBe(0);
    expect(metric(STATE_OK) - before.ok).toBe(5);
  });

  it('refusals are fastify’s, from the same checks: no token, a malformed or unknown one, a missing capability', async () => {
    const reader = engine.devices.add('reader', ['memory:read']).token;
    const served = fast.progeny.fastPathServed();
    for (const headers of [{}, { authorization: 'Basic abc' }, bearer('not-a-token'), bearer(reader)]) {
      const [a, b] = [await ask(fast, '/v1/state', headers), await ask(slow, '/v1/state', headers)];
      expect([401, 403]).toContain(a.status);
      expect(a).toEqual(b);
    }
    expect(fast.progeny.fastPathServed()).toBe(served);
  });

  it('the rate limit: the same 200s then 429s with Retry-After, each refusal counted once', async () => {
    const phone = engine.devices.add('phone', ['chat']).token;
    const limited = metric('progeny_http_rate_limited_total');
    const served = fast.progeny.fastPathServed();
    const answers = async (app: FastifyInstance) => {
      const out: Answer[] = [];
      for (let i = 0; i < 5; i++) out.push(await ask(app, '/v1/state', bearer(phone)));
      return out;
    };
    const [a, b] = [await answers(fast), await answers(slow)];
    expect(a.map((r) => r.status)).toEqual([200, 200, 200, 429, 429]);
    expect(a).toEqual(b);
    expect(a[3]?.headers).toContain('retry-after');
    expect(fast.progeny.fastPathServed() - served).toBe(3);
    expect(metric('progeny_http_rate_limited_total') - limited).toBe(4);
  });
});

describe('what the fast path hands to fastify', () => {
  it('a query string, another method, a request with a body', async () => {
    const served = fast.progeny.fastPathServed();
    for (const [path, method, headers] of [
      ['/v1/state?x=1', 'GET', {}],
      ['/v1/state', 'HEAD', {}],
      ['/v1/state', 'GET', { 'content-length': '0' }],
      ['/v1/state/', 'GET', {}],
    ] as const) {
      const h = { ...bearer(OWNER), ...headers };
      expect(await ask(fast, path, h, method)).toEqual(await ask(slow, path, h, method));
    }
    expect(fast.progeny.fastPathServed()).toBe(served);
  });

  it('a body large enough to compress, authorised once (its rate-limit token is not taken twice)', async () => {
    const tablet = engine.devices.add('tablet', ['chat']).token;
    const headers = { ...bearer(tablet), 'accept-encoding': 'gzip' };
    const served = fast.progeny.fastPathServed();
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const r = await ask(fast, '/v1/test-big', headers);
      statuses.push(r.status);
      if (r.status === 200) expect(r.headers).toEqual(expect.arrayContaining(['content-encoding', 'gzip']));
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect(fast.progeny.fastPathServed()).toBe(served);
  });

  it('refuses a fastRead route with hooks of its own', async () => {
    const hooked: NonNullable<ServerOptions['plugins']>[number] = async (app) => {
      const fastRead = { type: 'text/plain', body: () => 'x' };
      app.get('/v1/test-hooked', { config: { fastRead }, onRequest: (_q, _r, done) => done() }, () => 'x');
    };
    await expect(createServer(engine, { token: OWNER, plugins: [hooked] })).rejects.toMatchObject({ code: 'INTERNAL' });
  });
});

describe('while the server closes', () => {
  it('a request on a kept-alive connection gets fastify’s 503, as without the fast path', async () => {
    const answers: Answer[] = [];
    for (const fastPath of [true, false]) {
      let release = (): void => undefined;
      const held = new Promise<void>((resolve) => (release = resolve));
      // Holds the close open (as draining turns would) after fastify started answering 503.
      const holdClose: NonNullable<ServerOptions['plugins']>[number] = async (app) => {
        app.addHook('preClose', () => held);
      };
      const app = await createServer(engine, { token: OWNER, fastPath, plugins: [holdClose] });
      await app.listen({ port: 0, host: '127.0.0.1' });
      ports.set(app, (app.server.address() as { port: number }).port);
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      expect((await ask(app, '/v1/state', bearer(OWNER), 'GET', agent)).status).toBe(200);
      const served = app.progeny.fastPathServed();
      const closing = app.close();
      await new Promise((resolve) => setImmediate(resolve));
      answers.push(await ask(app, '/v1/state', bearer(OWNER), 'GET', agent));
      expect(app.progeny.fastPathServed()).toBe(served);
      release();
      await closing;
      agent.destroy();
    }
    expect(answers[0]?.status).toBe(503);
    expect(answers[0]).toEqual(answers[1]);
  });
});
