import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../testing/test-server.js';
import { relayForEngine } from './index.js';

let s: TestServer;
let relay: ReturnType<typeof relayForEngine>;
beforeAll(async () => {
  s = await startTestServer({}, (engine) => {
    // A quota below the size of an empty relay.db: every upload is past it.
    relay = relayForEngine({
      ...engine,
      metrics: engine.metrics,
      config: { ...engine.config, 'relay.maxBytes': 1 },
    });
    return { plugins: [relay.plugin], onClose: () => relay.close() };
  });
});
afterAll(() => s.close());

describe('the relay storage quota', () => {
  it('refuses uploads with 507 once relay.db reaches relay.maxBytes, and leaves reads alone', async () => {
    const up = await s.app.inject({ method: 'POST', url: '/v1/sync/vaults', payload: { anything: true } });
    expect(up.statusCode).toBe(507);
    expect(up.json().error).toMatchObject({
      code: 'SYNC_RELAY_FULL',
      message: expect.stringMatching(/storage is full/),
    });
    const read = await s.app.inject({ method: 'GET', url: '/v1/sync/vaults/AAAAAAAAAA/head' });
    expect(read.statusCode).not.toBe(507);
  });

  it('exposes the storage, the quota and the stored batches as metrics', async () => {
    const text = (await s.app.inject({ url: '/metrics', headers: s.auth })).body;
    const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
    expect(value('progeny_relay_storage_bytes')).toBeGreaterThan(0);
    expect(value('progeny_relay_storage_quota_bytes')).toBe(1);
    expect(value('progeny_relay_batches')).toBe(0);
  });
});
