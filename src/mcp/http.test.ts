import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TurnRegistry } from '../server/turns.js';
import { startTestServer, type TestServer } from '../testing/test-server.js';
import { createMcpHttp } from './http.js';

let s: TestServer;
let url: URL;

async function connect(token: string, endpoint = url): Promise<Client> {
  const transport = new StreamableHTTPClientTransport(endpoint, {
    requestInit: { headers: { authorization: `Bearer ${token}` } },
  });
  const client = new Client({ name: 'http-test', version: '1' });
  await client.connect(transport);
  return client;
}
const ownerToken = () => s.auth.authorization.slice('Bearer '.length);

beforeAll(async () => {
  s = await startTestServer();
  await s.app.listen({ port: 0, host: '127.0.0.1' });
  url = new URL(`http://127.0.0.1:${(s.app.server.address() as AddressInfo).port}/mcp`);
});
afterAll(() => s.close());

describe('MCP over Streamable HTTP in progeny serve', () => {
  it('lists and calls every tool with the owner token, and counts /mcp in the metrics', async () => {
    const c = await connect(ownerToken());
    expect((await c.listTools()).tools.map((t) => t.name)).toEqual([
      'memory_search',
      'memory_add',
      'memory_forget',
      'state_get',
      'heritage_get',
      'chat',
    ]);
    const added = await c.callTool({ name: 'memory_add', arguments: { text: 'The user sails on Lake Geneva.' } });
    const id = (added.structuredContent as { memory: { id: string } }).memory.id;
    const found = await c.callTool({ name: 'memory_search', arguments: { query: 'sailing lake' } });
    expect((found.structuredContent as { results: { id: string }[] }).results.map((r) => r.id)).toContain(id);
    expect((await c.callTool({ name: 'state_get', arguments: {} })).isError).toBeFalsy();
    expect((await c.callTool({ name: 'heritage_get', arguments: {} })).structuredContent).toMatchObject({ version: 1 });
    expect((await c.callTool({ name: 'chat', arguments: { message: 'hi' } })).structuredContent).toMatchObject({
      offline: true,
    });
    expect((await c.callTool({ name: 'memory_forget', arguments: { id } })).structuredContent).toMatchObject({
      forgotten: true,
    });
    await c.close();
    const metrics = await s.app.inject({ url: '/metrics', headers: s.auth });
    const posts = /progeny_http_requests_total\{route="\/mcp",method="POST",status="200"\} (\d+)/.exec(metrics.body);
    // initialize, initialized (202), tools/list and six calls: each request counted once.
    expect(Number(posts?.[1])).toBe(8);
  });

  it('applies a capability change to a session already open, and a revocation on the next request', async () => {
    const { device, token } = s.engine.devices.add('laptop', ['chat', 'memory:read']);
    const c = await connect(token);
    const refused = await c.callTool({ name: 'memory_add', arguments: { text: 'Remember this.' } });
    expect(refused).toMatchObject({
      isError: true,
      content: [{ text: expect.stringMatching(/lacks the memory:write/) }],
    });
    s.engine.devices.setCapabilities(device.id, ['chat', 'memory:read', 'memory:write']);
    const allowed = await c.callTool({ name: 'memory_add', arguments: { text: 'Remember this.' } });
    expect(allowed.isError).toBeFalsy();
    expect((allowed.structuredContent as { memory: { id: string } }).memory.id).toBeTruthy();
    s.engine.devices.revoke(device.id);
    await expect(c.callTool({ name: 'state_get', arguments: {} })).rejects.toMatchObject({
      code: 401,
      message: expect.stringMatching(/revoked/),
    });
  });

  it('refuses a request without a token, and a session opened by another token', async () => {
    const anon = await fetch(url, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    expect(anon.status).toBe(401);
    const c = await connect(ownerToken());
    const sessionId = (c.transport as StreamableHTTPClientTransport).sessionId as string;
    const { token } = s.engine.devices.add('intruder', ['chat', 'memory:read', 'memory:write']);
    const hijack = await fetch(url, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-session-id': sessionId,
        'mcp-protocol-version': '2025-06-18',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(hijack.status).toBe(404);
    expect(((await hijack.json()) as { error: { message: string } }).error.message).toMatch(/session not found/);
    await c.close();
  });
});

type Principal = Parameters<ReturnType<typeof createMcpHttp>['handle']>[3];
const OWNER = { kind: 'owner' as const, id: 'owner', name: 'owner', capabilities: ['admin' as const] };

/**
 * The MCP handler alone on a bare node:http server (no auth layer: `principalOf` says who a request is), with
 * session caps of the test's choosing; close() ends the sessions and the server.
 */
async function bareMcpServer(
  limits: { maxSessions: number; maxSessionsPerToken?: number },
  principalOf: (authorization: string | undefined) => Principal = () => OWNER,
) {
  const mcp = createMcpHttp({
    engine: s.engine,
    version: 't',
    turns: new TurnRegistry(),
    log: () => undefined,
    ...limits,
  });
  const server = createHttpServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    const who = principalOf(req.headers.authorization);
    req.on('end', () => void mcp.handle(req, res, body ? JSON.parse(body) : undefined, who));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const endpoint = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`);
  return {
    mcp,
    endpoint,
    close: async () => {
      await mcp.close();
      server.close();
    },
  };
}

describe('MCP HTTP sessions', () => {
  it('are bounded: past the cap the least recently used session is closed', async () => {
    const { mcp, endpoint, close } = await bareMcpServer({ maxSessions: 2 });
    try {
      const first = await connect('x', endpoint);
      const second = await connect('x', endpoint);
      await second.listTools();
      const third = await connect('x', endpoint);
      expect(mcp.size()).toBe(2);
      await expect(first.listTools()).rejects.toMatchObject({
        code: 404,
        message: expect.stringMatching(/session not found/),
      });
      expect((await third.listTools()).tools).toHaveLength(6);
      await Promise.all([second.close(), third.close()]);
    } finally {
      await close();
    }
  });

  it("are bounded per token: one token past its cap closes its own oldest, never another token's", async () => {
    const device = { kind: 'device' as const, id: 'dev1', name: 'greedy', capabilities: ['chat' as const] };
    const { mcp, endpoint, close } = await bareMcpServer({ maxSessions: 4, maxSessionsPerToken: 2 }, (authorization) =>
      authorization === 'Bearer device' ? device : OWNER,
    );
    try {
      const mine = await connect('owner', endpoint);
      const greedy = [];
      for (let i = 0; i < 5; i++) greedy.push(await connect('device', endpoint));
      // The owner's session and the device's two newest: the device's older ones made room for its newer ones.
      expect(mcp.size()).toBe(3);
      expect((await mine.listTools()).tools).toHaveLength(6);
      await expect(greedy[0]!.listTools()).rejects.toMatchObject({ code: 404 });
      expect((await greedy[4]!.listTools()).tools.length).toBeGreaterThan(0);
      await Promise.all([mine.close(), ...greedy.slice(3).map((c) => c.close())]);
    } finally {
      await close();
    }
  });
});
