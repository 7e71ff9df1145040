/**
 * The server keeps no state beyond the engine: two servers (two engines, as two `progeny serve` processes would have)
 * on one home see each other's writes on the next request, and a token revoked through one is refused by the other.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { mergeConfig } from '../core/config/load.js';
import { createEngine } from '../core/engine/create.js';
import type { Engine } from '../core/engine/engine.js';
import { initializeHome } from '../core/engine/init.js';
import { tempHome } from '../testing/temp-home.js';
import { OWNER_TOKEN } from '../testing/test-server.js';
import { createServer } from './create.js';

const home = tempHome('progeny-shared-');
const engines: Engine[] = [];
const apps: FastifyInstance[] = [];
const auth = { authorization: `Bearer ${OWNER_TOKEN}` };

beforeAll(async () => {
  const { config } = mergeConfig({ flags: { 'llm.provider': 'offline' } });
  for (let i = 0; i < 2; i++) {
    const engine = await createEngine({ paths: home.paths, config });
    if (i === 0) initializeHome(engine);
    engines.push(engine);
    apps.push(await createServer(engine, { token: OWNER_TOKEN }));
  }
});
afterAll(async () => {
  for (const a of apps) await a.close();
  for (const e of engines) await e.close();
  home.cleanup();
});

describe('two servers on one home', () => {
  it('see each other’s state, heritage, memory and conversation writes', async () => {
    const [a, b] = apps as [FastifyInstance, FastifyInstance];
    await b.inject({ method: 'GET', url: '/v1/state', headers: auth }); // warm b's caches first
    await a.inject({
      method: 'POST',
      url: '/v1/state',
      headers: auth,
      payload: { deltas: { trust: 0.1 }, reason: 'from a' },
    });
    expect((await b.inject({ method: 'GET', url: '/v1/state', headers: auth })).json().trust).toBeCloseTo(0.55, 10);

    const cur = (await b.inject({ method: 'GET', url: '/v1/heritage', headers: auth })).json();
    await a.inject({
      method: 'PUT',
      url: '/v1/heritage',
      headers: auth,
      payload: { doc: { ...cur.doc, notes: 'from a' }, reason: 'shared' },
    });
    expect((await b.inject({ method: 'GET', url: '/v1/heritage', headers: auth })).json().doc.notes).toBe('from a');

    const added = (
      await a.inject({
        method: 'POST',
        url: '/v1/memories',
        headers: auth,
        payload: { memories: [{ text: 'written through server a' }] },
      })
    ).json();
    const got = await b.inject({ method: 'GET', url: `/v1/memories/${added.memories[0].id}`, headers: auth });
    expect(got.json().text).toBe('written through server a');

    const turn = (
      await a.inject({ method: 'POST', url: '/v1/chat', headers: auth, payload: { message: 'hello from a' } })
    ).json();
    const next = await b.inject({
      method: 'POST',
      url: '/v1/chat',
      headers: auth,
      payload: { message: 'and from b', conversationId: turn.conversationId },
    });
    expect(next.statusCode).toBe(200);
    const conv = (
      await a.inject({ method: 'GET', url: `/v1/conversations/${turn.conversationId}`, headers: auth })
    ).json();
    expect(conv.messages).toHaveLength(4);
  });

  it('answers GET /v1/state with a limbic change another process committed before the request, over a socket', async () => {
    // Over a real socket, as clients connect: GET /v1/state is computed once per event-loop turn (per-turn.ts), and a
    // request sent after the commit completed is read in a later turn than the request before it.
    const b = apps[1]!;
    const url = `${await b.listen({ port: 0, host: '127.0.0.1' })}/v1/state`;
    const get = async () =>
      (await fetch(url, { headers: auth })).json() as Promise<{ version: number; warmth: number }>;
    const before = await get();
    engines[0]!.state.adjust({ warmth: -0.1 }, 'from another process'); // as `progeny state adjust` would
    const after = await get();
    expect(after.version).toBe(before.version + 1);
    expect(after.warmth).toBeLessThan(before.warmth);
    // And a change made through this server's own engine (its connection) is seen even within one turn.
    const own = engines[1]!.state.adjust({ warmth: 0.05 }, 'from this process');
    expect((await b.inject({ method: 'GET', url: '/v1/state', headers: auth })).json().version).toBe(own.state.version);
  });

  it('a token revoked through one engine is refused by the other on the next request', async () => {
    const [a, b] = apps as [FastifyInstance, FastifyInstance];
    const { device, token } = engines[0]!.devices.add('tablet', ['chat']);
    expect(
      (await b.inject({ method: 'GET', url: '/v1/state', headers: { authorization: `Bearer ${token}` } })).statusCode,
    ).toBe(200);
    engines[0]!.devices.revoke(device.id);
    expect(
      (await b.inject({ method: 'GET', url: '/v1/state', headers: { authorization: `Bearer ${token}` } })).statusCode,
    ).toBe(401);
    expect(
      (await a.inject({ method: 'GET', url: '/v1/state', headers: { authorization: `Bearer ${token}` } })).statusCode,
    ).toBe(401);
  });
});
