/**
 * Streaming over real sockets against the LLM test double: a client that disconnects mid-stream (the turn stops, the
 * partial reply is kept as interrupted, nothing stays in flight), a device token revoked mid-turn (the stream ends with
 * an error at its next event), a slow client that does not read (backpressure, the
 * server keeps answering others), and shutdown draining a turn in flight.
 */
import { request } from 'node:http';
import { connect } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLlmTestDouble, type LlmTestDouble } from '../testing/llm-double.js';
import { OWNER_TOKEN, startTestServer, type TestServer } from '../testing/test-server.js';

let llm: LlmTestDouble;
let s: TestServer;
let base: string;
beforeAll(async () => {
  llm = await startLlmTestDouble({ fixture: 'reflection', tokenDelayMs: 15 });
  s = await startTestServer(
    { 'llm.provider': 'ollama', 'llm.url': llm.url, 'cache.response.ttlMs': 0 },
    { drainMs: 200 },
  );
  await s.app.listen({ port: 0, host: '127.0.0.1' });
  const addr = s.app.server.address() as { port: number };
  base = `http://127.0.0.1:${addr.port}`;
});
afterAll(async () => {
  await s.close();
  await llm.close();
});

async function until(fn: () => boolean, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await delay(10);
  }
}

describe('client disconnect mid-stream', () => {
  it('stops the turn, keeps the partial reply as interrupted, and leaves nothing in flight', async () => {
    const before = llm.requests.length;
    const conversationId = s.engine.conversations.create('creator').id;
    const received = await new Promise<string>((resolve, reject) => {
      const req = request(
        `${base}/v1/chat`,
        { method: 'POST', headers: { authorization: `Bearer ${OWNER_TOKEN}`, 'content-type': 'application/json' } },
        (res) => {
          let text = '';
          res.on('data', (d: Buffer) => {
            text += d.toString();
            if ((text.match(/event: token/g) ?? []).length >= 3) {
              req.destroy();
              resolve(text);
            }
          });
        },
      );
      req.on('error', () => undefined);
      req.end(JSON.stringify({ message: 'tell me a long story', conversationId, stream: true }));
      setTimeout(() => reject(new Error('no tokens')), 10_000);
    });
    expect(received).toContain('event: start');
    await until(() => s.app.progeny.inFlightTurns() === 0);
    await until(() => s.engine.conversations.messages(conversationId).length === 2);
    const reply = s.engine.conversations.messages(conversationId)[1]!;
    expect(reply.role).toBe('assistant');
    expect(reply.status).toBe('interrupted');
    expect(reply.text.length).toBeGreaterThan(0);
    // The model request was cancelled too, not left streaming into nothing.
    const modelReq = llm.requests.slice(before).find((r) => r.path === '/api/chat');
    expect(await modelReq!.closed).toBe('aborted');
  });
});

describe('a device token revoked or downgraded during a chat turn', () => {
  const cases = [
    ['revoked', 'INVALID_TOKEN', (id: string) => void s.engine.devices.revoke(id)],
    ['stripped of chat', 'FORBIDDEN', (id: string) => void s.engine.devices.setCapabilities(id, ['memory:read'])],
  ] as const;
  it.each(cases)('%s: the stream ends at its next event with an error, and the turn stops', async (_, code, change) => {
    const { device, token } = s.engine.devices.add(`phone ${code}`, ['chat', 'memory:read']);
    const conversationId = s.engine.conversations.create('creator').id;
    const text = await new Promise<string>((resolve, reject) => {
      let changed = false;
      const req = request(
        `${base}/v1/chat`,
        { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } },
        (res) => {
          let body = '';
          res.on('data', (d: Buffer) => {
            body += d.toString();
            if (!changed && body.includes('event: token')) {
              changed = true;
              change(device.id);
            }
          });
          res.on('end', () => resolve(body));
        },
      );
      req.on('error', reject);
      req.end(JSON.stringify({ message: 'tell me a long story', conversationId, stream: true }));
      setTimeout(() => reject(new Error('the stream did not end')), 15_000);
    });
    const events = [...text.matchAll(/^event: (\w+)$/gm)].map((m) => m[1]);
    expect(events).not.toContain('done');
    expect(events.at(-1)).toBe('error');
    expect(text).toContain(`"code":"${code}"`);
    await until(() => s.app.progeny.inFlightTurns() === 0);
    await until(() => s.engine.conversations.messages(conversationId).length === 2);
    expect(s.engine.conversations.messages(conversationId)[1]!.status).toBe('interrupted');
  });
});

describe('a device token revoked during an MCP chat call', () => {
  it('stops the turn at its next event and answers the call with the refusal', async () => {
    const { Client } = await import('@modelcontextprotocol/sdk/client/index.js');
    const { StreamableHTTPClientTransport } = await import('@modelcontextprotocol/sdk/client/streamableHttp.js');
    const { device, token } = s.engine.devices.add('mcp agent', ['chat', 'memory:read']);
    const client = new Client({ name: 'revocation-test', version: '1' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${base}/mcp`), {
        requestInit: { headers: { authorization: `Bearer ${token}` } },
      }),
    );
    const conversationId = s.engine.conversations.create('creator').id;
    const before = llm.requests.length;
    const call = client.callTool({ name: 'chat', arguments: { message: 'tell me a long story', conversationId } });
    // Revoke once the model is streaming its reply.
    await until(() => llm.requests.slice(before).some((r) => r.path === '/api/chat'));
    await delay(60);
    s.engine.devices.revoke(device.id);
    const result = await call;
    expect(result.isError).toBe(true);
    expect(JSON.stringify(result.content)).toMatch(/INVALID_TOKEN/);
    await until(() => s.app.progeny.inFlightTurns() === 0);
    await until(() => s.engine.conversations.messages(conversationId).length === 2);
    expect(s.engine.conversations.messages(conversationId)[1]!.status).toBe('interrupted');
    await client.close().catch(() => undefined);
  });
});

describe('slow clients', () => {
  it('a client that does not read does not block others, and gets the whole stream once it reads', async () => {
    const socket = connect(Number(new URL(base).port), '127.0.0.1');
    await new Promise<void>((r) => socket.once('connect', () => r()));
    socket.pause();
    const body = JSON.stringify({ message: 'reflect on something', stream: true });
    socket.write(
      `POST /v1/chat HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${OWNER_TOKEN}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
    await delay(300);
    const t0 = Date.now();
    const health = await fetch(`${base}/v1/state`, { headers: { authorization: `Bearer ${OWNER_TOKEN}` } });
    expect(health.status).toBe(200);
    expect(Date.now() - t0).toBeLessThan(1_000);
    let text = '';
    socket.on('data', (d: Buffer) => (text += d.toString()));
    socket.resume();
    await until(() => text.includes('event: done'), 15_000);
    expect(text).toMatch(/^HTTP\/1.1 200/);
    socket.destroy();
  });
});

describe('metrics of a streamed reply', () => {
  // A streamed reply is recorded when it ends, not when its first byte leaves (the latency histogram would otherwise
  // call a whole turn as fast as its headers).
  const chatSeconds = async (): Promise<{ count: number; sum: number }> => {
    const m = await (await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${OWNER_TOKEN}` } })).text();
    const line = (name: string): number =>
      Number(
        new RegExp(
          `^progeny_http_request_duration_seconds_${name}\\{route="/v1/chat",method="POST"\\} (\\S+)$`,
          'm',
        ).exec(m)?.[1] ?? 0,
      );
    return { count: line('count'), sum: line('sum') };
  };

  it('records an SSE chat once, with the time until its last event', async () => {
    const before = await chatSeconds();
    const t0 = performance.now();
    const r = await fetch(`${base}/v1/chat`, {
      method: 'POST',
      headers: { authorization: `Bearer ${OWNER_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ message: 'reflect on something else', stream: true }),
    });
    const text = await r.text();
    const wall = (performance.now() - t0) / 1000;
    expect(text).toContain('event: done');
    await until(() => true);
    const after = await chatSeconds();
    expect(after.count - before.count).toBe(1);
    // The double sends tokens 15 ms apart, so the stream lasts well beyond its headers.
    expect(wall).toBeGreaterThan(0.1);
    expect(after.sum - before.sum).toBeGreaterThan(wall * 0.8);
  });
});

describe('shutdown', () => {
  it('drains: a turn still running after drainMs is interrupted, its partial reply kept, and close resolves', async () => {
    const slow = await startLlmTestDouble({ fixture: 'reflection', tokenDelayMs: 100 });
    const t = await startTestServer(
      { 'llm.provider': 'ollama', 'llm.url': slow.url, 'cache.response.ttlMs': 0 },
      { drainMs: 300 },
    );
    try {
      await t.app.listen({ port: 0, host: '127.0.0.1' });
      const url = `http://127.0.0.1:${(t.app.server.address() as { port: number }).port}/v1/chat`;
      const conversationId = t.engine.conversations.create('creator').id;
      const pending = fetch(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${OWNER_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ message: 'a long one please', conversationId }),
      });
      await until(() => t.app.progeny.inFlightTurns() === 1);
      await delay(250);
      const t0 = Date.now();
      await t.app.close();
      expect(Date.now() - t0).toBeLessThan(3_000);
      const res = await pending;
      expect(res.status).toBe(200);
      expect(((await res.json()) as { interrupted: boolean }).interrupted).toBe(true);
      const reply = t.engine.conversations.messages(conversationId)[1]!;
      expect(reply.status).toBe('interrupted');
      expect(reply.text.length).toBeGreaterThan(0);
    } finally {
      await t.close();
      await slow.close();
    }
  });
});
