/**
 * The edge of the API (docs/api.md, "Errors"): requests node or fastify refuse before any route runs — malformed HTTP,
 * oversized headers, a path parameter too long, a body of the wrong type — still get the one error envelope, and JSON
 * bodies are parsed strictly (no `__proto__` keys, no lone surrogates), each refusal naming the field.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OWNER_TOKEN, startTestServer, type TestServer } from '../testing/test-server.js';

let s: TestServer;
let port: number;
beforeAll(async () => {
  s = await startTestServer();
  await s.app.listen({ port: 0, host: '127.0.0.1' });
  port = (s.app.server.address() as { port: number }).port;
});
afterAll(() => s.close());

/** Sends raw bytes and returns the status, the content type and the parsed JSON body of the reply. */
function raw(bytes: string): Promise<{ status: number; type: string; json: { error?: Record<string, unknown> } }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(bytes));
    let text = '';
    socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
    socket.on('error', reject);
    socket.on('close', () => {
      const [head = '', body = ''] = text.split('\r\n\r\n');
      const type = /content-type:\s*([^\r\n;]+)/i.exec(head)?.[1] ?? '';
      let json = {};
      try {
        json = JSON.parse(body) as object;
      } catch {
        json = { unparsed: body };
      }
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0), type, json });
    });
  });
}

const auth = `Authorization: Bearer ${OWNER_TOKEN}\r\n`;
const envelope = { error: { code: expect.any(String), message: expect.any(String), hint: expect.any(String) } };

describe('refusals before any route runs use the error envelope', () => {
  it('malformed HTTP: 400 BAD_REQUEST', async () => {
    const r = await raw('GET /v1/health HTTP/1.1\r\nHost: x\r\nthis is not a header\r\n\r\n');
    expect(r).toMatchObject({ status: 400, type: 'application/json', json: envelope });
    expect(r.json.error?.code).toBe('BAD_REQUEST');
  });

  it('headers over the limit: 431 HEADERS_TOO_LARGE', async () => {
    const r = await raw(`GET /v1/health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(r).toMatchObject({ status: 431, type: 'application/json', json: envelope });
    expect(r.json.error?.code).toBe('HEADERS_TOO_LARGE');
  });

  it('a path parameter over the limit: 414 URI_TOO_LONG', async () => {
    const r = await raw(`GET /v1/memories/${'x'.repeat(500)} HTTP/1.1\r\nHost: x\r\n${auth}\r\n`);
    expect(r).toMatchObject({ status: 414, type: 'application/json', json: envelope });
    expect(r.json.error?.code).toBe('URI_TOO_LONG');
  });

  it('a text/plain body: 415 UNSUPPORTED_MEDIA_TYPE', async () => {
    const body = '{"memories":[{"text":"hi"}]}';
    const r = await s.app.inject({
      method: 'POST',
      url: '/v1/memories',
      headers: { ...s.auth, 'content-type': 'text/plain' },
      payload: body,
    });
    expect(r.statusCode).toBe(415);
    expect(r.json()).toMatchObject({ error: { code: 'UNSUPPORTED_MEDIA_TYPE', hint: expect.any(String) } });
  });
});

describe('strict JSON bodies', () => {
  const post = (payload: string | Buffer) =>
    s.app.inject({
      method: 'POST',
      url: '/v1/memories',
      headers: { ...s.auth, 'content-type': 'application/json' },
      payload,
    });

  it('a __proto__ key is refused as such, naming the field, not as invalid JSON', async () => {
    const r = await post('{"memories":[{"text":"hi","__proto__":{"pinned":true}}]}');
    expect(r.statusCode).toBe(400);
    expect(r.json().error).toMatchObject({
      code: 'VALIDATION',
      details: [{ field: 'body.memories[0].__proto__', reason: 'is not allowed' }],
    });
    const escaped = await post('{"memories":[{"text":"hi","\\u005f_proto__":{}}]}');
    expect(escaped.json().error.details[0].field).toBe('body.memories[0].__proto__');
  });

  it('a lone surrogate is refused at the edge instead of being stored as U+FFFD', async () => {
    const r = await post('{"memories":[{"text":"half a pair: \\ud83d"}]}');
    expect(r.statusCode).toBe(400);
    expect(r.json().error).toMatchObject({ code: 'VALIDATION', details: [{ field: 'body.memories[0].text' }] });
    expect(r.json().error.message).toContain('lone surrogate');
    const pair = await post('{"memories":[{"text":"a whole pair: \\ud83d\\ude00"}]}');
    expect(pair.statusCode).toBe(201);
  });

  it('bytes that are not UTF-8 are refused, not replaced', async () => {
    const r = await post(
      Buffer.concat([Buffer.from('{"memories":[{"text":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}]}')]),
    );
    expect(r.statusCode).toBe(400);
    expect(r.json().error).toMatchObject({ code: 'MALFORMED_JSON', message: expect.stringContaining('UTF-8') });
  });
});
