/** POST /v1/memories with an Idempotency-Key: a retry after a lost response stores nothing twice (docs/api.md). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../testing/test-server.js';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(() => s.close());

const add = (payload: unknown, key?: string, token?: string) =>
  s.app.inject({
    method: 'POST',
    url: '/v1/memories',
    headers: { ...(token ? { authorization: `Bearer ${token}` } : s.auth), ...(key ? { 'idempotency-key': key } : {}) },
    payload: payload as object,
  });
const count = (): number => (s.engine.db.prepare('SELECT count(*) FROM memories').pluck().get() as number) ?? 0;

describe('Idempotency-Key on POST /v1/memories', () => {
  it('answers a retry with the same memories instead of storing them again', async () => {
    const before = count();
    const body = { memories: [{ text: 'the ferry leaves at nine' }, { text: 'bring the blue umbrella' }] };
    const first = await add(body, 'retry-1');
    expect(first.statusCode).toBe(201);
    const again = await add(body, 'retry-1');
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json().memories.map((m: { id: string }) => m.id)).toEqual(
      first.json().memories.map((m: { id: string }) => m.id),
    );
    expect(count()).toBe(before + 2);
    // Without the header, every request is new.
    await add(body);
    expect(count()).toBe(before + 4);
  });

  it('refuses the same key with another body, and keeps keys apart per token', async () => {
    await add({ memories: [{ text: 'one thing' }] }, 'retry-2');
    const other = await add({ memories: [{ text: 'another thing' }] }, 'retry-2');
    expect(other.statusCode).toBe(422);
    expect(other.json().error).toMatchObject({ code: 'IDEMPOTENCY_MISMATCH' });
    const { token } = s.engine.devices.add('phone', ['memory:write']);
    const before = count();
    expect((await add({ memories: [{ text: 'another thing' }] }, 'retry-2', token)).statusCode).toBe(201);
    expect(count()).toBe(before + 1);
  });

  it('validates the key', async () => {
    const r = await add({ memories: [{ text: 'x' }] }, 'k'.repeat(300));
    expect(r.statusCode).toBe(400);
    expect(r.json().error.details[0].field).toContain('idempotency-key');
  });
});
