import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../testing/test-server.js';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({}, { bodyLimit: 64 * 1024 });
});
afterAll(() => s.close());

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
const call = (method: Method, url: string, payload?: unknown, headers: Record<string, string> = {}) =>
  s.app.inject({
    method,
    url,
    headers: { ...s.auth, ...headers },
    ...(payload === undefined ? {} : { payload: payload as string }),
  });

describe('state', () => {
  it('reads the state and adjusts it with the earned rule and a reason', async () => {
    const before = (await call('GET', '/v1/state')).json();
    expect(before.trust).toBe(0.5);
    const r = await call('POST', '/v1/state', { deltas: { trust: 0.1 }, reason: 'kept a promise' });
    expect(r.statusCode).toBe(200);
    expect(r.json().state.trust).toBeCloseTo(0.55, 10);
    const why = (await call('GET', '/v1/state/why?variable=trust&limit=5')).json();
    expect(why.changes[0]).toMatchObject({ variable: 'trust', cause: 'kept a promise' });
  });

  it('names the field and the reason on bad input', async () => {
    const cases: [unknown, string][] = [
      [{ deltas: { trust: 2 }, reason: 'x' }, 'body.deltas.trust'],
      [{ deltas: { trust: 0.1 } }, 'body.reason'],
      [{ deltas: { courage: 0.1 }, reason: 'x' }, 'body.deltas.courage'],
      [{ deltas: {}, reason: 'x' }, 'body.deltas'],
      [{ deltas: { trust: 0.1 }, reason: '   ' }, 'body.reason'],
      [{ deltas: { trust: '0.1' }, reason: 'x' }, 'body.deltas.trust'],
    ];
    for (const [body, field] of cases) {
      const r = await call('POST', '/v1/state', body);
      expect(r.statusCode, JSON.stringify(body)).toBe(400);
      expect(r.json().error.code).toBe('VALIDATION');
      expect(r.json().error.details[0].field).toBe(field);
      expect(r.json().error.message).toContain(field);
    }
    expect((await call('GET', '/v1/state/why?limit=0')).statusCode).toBe(400);
  });
});

describe('heritage', () => {
  it('reads, updates (a new version), refuses base changes without allowBase, and lists history', async () => {
    const cur = (await call('GET', '/v1/heritage')).json();
    expect(cur.version).toBe(1);
    const doc = { ...cur.doc, notes: 'likes quiet mornings' };
    const put = await call('PUT', '/v1/heritage', { doc, reason: 'learned something' });
    expect(put.statusCode).toBe(201);
    expect(put.json()).toMatchObject({ version: 2, changed: ['notes'] });
    const base = await call('PUT', '/v1/heritage', { doc: { ...doc, name: 'Other' }, reason: 'rename' });
    expect(base.statusCode).toBe(400);
    expect(base.json().error.code).toBe('HERITAGE_BASE');
    expect((await call('PUT', '/v1/heritage', { doc: { nonsense: true }, reason: 'x' })).statusCode).toBe(400);
    expect((await call('GET', '/v1/heritage?version=1')).json().version).toBe(1);
    expect((await call('GET', '/v1/heritage?version=99')).statusCode).toBe(404);
    expect(
      (await call('GET', '/v1/heritage/history')).json().versions.map((v: { version: number }) => v.version),
    ).toEqual([1, 2]);
  });
});

describe('memories', () => {
  it('adds in a batch, pages with a cursor, gets, edits, shows history and forgets', async () => {
    const add = await call('POST', '/v1/memories', {
      memories: Array.from({ length: 25 }, (_, i) => ({ text: `note number ${i}`, kind: 'fact', salience: 0.4 })),
    });
    expect(add.statusCode).toBe(201);
    const added = add.json().memories as { id: string }[];
    expect(added).toHaveLength(25);
    const seen = new Set<string>();
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: { items: { id: string }[]; nextCursor: string | null } = (
        await call('GET', `/v1/memories?limit=10${cursor ? `&cursor=${cursor}` : ''}`)
      ).json();
      page.items.forEach((m) => seen.add(m.id));
      cursor = page.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    for (const m of added) expect(seen.has(m.id)).toBe(true);
    const id = added[0]!.id;
    expect((await call('GET', `/v1/memories/${id}`)).json().text).toBe('note number 0');
    const edited = await call('PATCH', `/v1/memories/${id}`, { text: 'note zero', pinned: true, reason: 'typo' });
    expect(edited.statusCode).toBe(200);
    expect(edited.json()).toMatchObject({ text: 'note zero', pinned: true });
    expect((await call('GET', `/v1/memories/${id}/history`)).statusCode).toBe(200);
    const gone = await call('DELETE', `/v1/memories/${id}`);
    expect(gone.json()).toMatchObject({ status: 'forgotten', text: '' });
    expect((await call('GET', '/v1/memories/ZZZZZZZZZZ')).statusCode).toBe(404);
    expect((await call('PATCH', `/v1/memories/${added[1]!.id}`, {})).statusCode).toBe(400);
    expect((await call('POST', '/v1/memories', { memories: [] })).json().error.details[0].field).toBe('body.memories');
    expect(
      (await call('POST', '/v1/memories', { memories: [{ text: 'x', kind: 'gossip' }] })).json().error.details[0].field,
    ).toBe('body.memories[0].kind');
  });

  it('searches without counting the recall', async () => {
    await call('POST', '/v1/memories', { memories: [{ text: 'the cat is called Miso' }] });
    const r = await call('GET', '/v1/memories/search?q=cat%20name&k=3');
    expect(r.statusCode).toBe(200);
    expect(Array.isArray(r.json().results)).toBe(true);
    expect((await call('GET', '/v1/memories/search')).json().error.details[0].field).toBe('querystring.q');
  });
});

describe('chat and conversations', () => {
  it('answers one turn as JSON and continues the conversation', async () => {
    const r = await call('POST', '/v1/chat', { message: 'hello, how are you?' });
    expect(r.statusCode).toBe(200);
    const turn = r.json();
    expect(turn).toMatchObject({ offline: true, mode: 'OFFLINE', interrupted: false });
    expect(turn.reply.length).toBeGreaterThan(0);
    const again = (await call('POST', '/v1/chat', { message: 'and now?', conversationId: turn.conversationId })).json();
    expect(again.conversationId).toBe(turn.conversationId);
    const conv = (await call('GET', `/v1/conversations/${turn.conversationId}`)).json();
    expect(conv.messages.map((m: { role: string }) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant']);
    const list = (await call('GET', '/v1/conversations?limit=5')).json();
    expect(list.items[0].id).toBe(turn.conversationId);
    expect((await call('POST', '/v1/chat', { message: 'hi', conversationId: 'nope' })).statusCode).toBe(404);
    expect((await call('GET', '/v1/conversations/nope')).statusCode).toBe(404);
  });

  it('streams engine events as Server-Sent Events, ending with done', async () => {
    const r = await call('POST', '/v1/chat', { message: 'tell me something', stream: true });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toMatch(/text\/event-stream/);
    const events = r.body
      .trim()
      .split('\n\n')
      .map((f) => {
        const [ev, data] = f.split('\n');
        return { event: ev!.slice(7), data: JSON.parse(data!.slice(6)) as { type: string } };
      });
    expect(events[0]!.event).toBe('start');
    expect(events.at(-1)!.event).toBe('done');
    expect(events.every((e) => e.event === e.data.type)).toBe(true);
    expect(events.some((e) => e.event === 'token')).toBe(true);
  });

  it('validates chat input', async () => {
    expect((await call('POST', '/v1/chat', { message: '' })).json().error.details[0].field).toBe('body.message');
    expect((await call('POST', '/v1/chat', { message: 'x'.repeat(32_001) })).statusCode).toBe(400);
    expect((await call('POST', '/v1/chat', { message: 'hi', extra: 1 })).json().error.details[0]).toEqual({
      field: 'body.extra',
      reason: 'is not a known field',
    });
  });
});

describe('HTTP behaviour', () => {
  it('answers malformed JSON, oversize bodies and wrong content types with 4xx JSON errors', async () => {
    const bad = await call('POST', '/v1/chat', '{"message": "hi"', { 'content-type': 'application/json' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('MALFORMED_JSON');
    const big = await call('POST', '/v1/memories', JSON.stringify({ memories: [{ text: 'x'.repeat(70 * 1024) }] }), {
      'content-type': 'application/json',
    });
    expect(big.statusCode).toBe(413);
    expect(big.json().error).toMatchObject({ code: 'BODY_TOO_LARGE' });
    const type = await call('POST', '/v1/chat', 'message=hi', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(type.statusCode).toBe(415);
    expect(type.json().error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    const proto = await call('POST', '/v1/state', '{"__proto__": {"x": 1}, "deltas": {"trust": 0.1}, "reason": "x"}', {
      'content-type': 'application/json',
    });
    expect(proto.statusCode).toBe(400);
  });

  it('returns a request id, and keeps the one the client sent', async () => {
    const r = await call('GET', '/v1/health');
    expect(r.headers['x-request-id']).toMatch(/^[0-9a-f]{16}$/);
    expect((await call('GET', '/v1/health', undefined, { 'x-request-id': 'abc-123' })).headers['x-request-id']).toBe(
      'abc-123',
    );
  });

  it('compresses large JSON with brotli or gzip as negotiated, and small replies not at all', async () => {
    await call('POST', '/v1/memories', {
      memories: Array.from({ length: 40 }, (_, i) => ({
        text: `a fairly long memory text number ${i} to make the page big`,
        kind: 'summary',
      })),
    });
    await s.engine.memory.flush();
    const plain = await call('GET', '/v1/memories?limit=40&kind=summary');
    expect(plain.headers['content-encoding']).toBeUndefined();
    const br = await call('GET', '/v1/memories?limit=40&kind=summary', undefined, { 'accept-encoding': 'gzip, br' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(brotliDecompressSync(br.rawPayload).toString()).toBe(plain.body);
    expect(br.rawPayload.length).toBeLessThan(plain.rawPayload.length / 3);
    const gz = await call('GET', '/v1/memories?limit=40&kind=summary', undefined, { 'accept-encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.rawPayload).toString()).toBe(plain.body);
    expect(
      (await call('GET', '/v1/memories?limit=40&kind=summary', undefined, { 'accept-encoding': 'br;q=0, gzip;q=0' }))
        .headers['content-encoding'],
    ).toBeUndefined();
    expect(
      (await call('GET', '/v1/state', undefined, { 'accept-encoding': 'br' })).headers['content-encoding'],
    ).toBeUndefined();
  });

  it('renders Prometheus metrics with request latency buckets at the budgets, cache ratio and memory counts', async () => {
    const m = await call('GET', '/metrics');
    expect(m.headers['content-type']).toMatch(/text\/plain; version=0.0.4/);
    expect(m.body).toMatch(
      /progeny_http_request_duration_seconds_bucket\{route="\/v1\/state",method="GET",le="0.002"\} \d+/,
    );
    expect(m.body).toMatch(/progeny_memories \d+/);
    expect(m.body).toMatch(/progeny_llm_response_cache_hit_ratio [\d.]+/);
    expect(m.body).toMatch(/progeny_process_resident_memory_bytes \d+/);
    expect(m.body).toMatch(/progeny_turns_total\{[^}]*status="complete"/);
    expect(m.body).toMatch(/progeny_sync_pending_changes \d+/);
    expect(m.body).toMatch(/progeny_memory_recall_seconds_bucket/);
  });

  it('answers unknown routes with a JSON 404', async () => {
    const r = await call('GET', '/v1/nothing-here');
    expect(r.statusCode).toBe(404);
    expect(r.json().error.code).toBe('NOT_FOUND');
  });
});
