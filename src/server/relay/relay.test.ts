/** The relay plugin on a bare fastify: signatures, sequencing, idempotence, limits, pagination, and a real socket. */
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newDeviceKeys, randomKey, signKeysFromSeed, toB64 } from '../../core/sync/crypto.js';
import { ENVELOPE_VERSION, sealEnvelope } from '../../core/sync/envelope.js';
import { signRequest } from '../../core/sync/request-sig.js';
import { newVault } from '../../testing/relay-fixture.js';
import { tempHome } from '../../testing/temp-home.js';
import { createRelayPlugin, MAX_PUSH_ENVELOPES } from './plugin.js';
import { openRelayStore, type RelayStore } from './store.js';

describe('sync relay', () => {
  let app: FastifyInstance;
  let store: RelayStore;
  let home: ReturnType<typeof tempHome>;
  const dev = newDeviceKeys();
  const joinSeed = randomKey();
  const join = signKeysFromSeed(joinSeed);
  const dk = randomKey();
  const vaultId = 'vault-test-0001';

  const call = async (
    method: 'GET' | 'POST' | 'PUT',
    url: string,
    body?: unknown,
    keys = dev,
    id = 'devA',
  ): Promise<{ status: number; json: Record<string, unknown> }> => {
    const text = body === undefined ? '' : JSON.stringify(body);
    const res = await app.inject({
      method,
      url,
      ...(body === undefined ? {} : { payload: text }),
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...signRequest(id, keys.signSk, method, url, text, Date.now()),
      },
    });
    return { status: res.statusCode, json: JSON.parse(res.body) as Record<string, unknown> };
  };
  const env = (seq: number): string =>
    Buffer.from(
      sealEnvelope(
        {
          v: ENVELOPE_VERSION,
          vaultId,
          deviceId: 'devA',
          deviceSeq: seq,
          prevHash: '',
          keyEpoch: 0,
          hlcMin: 'a',
          hlcMax: 'b',
        },
        Buffer.from(`[${seq}]`),
        dk,
        dev.signSk,
      ),
    ).toString('base64');

  beforeEach(async () => {
    home = tempHome();
    store = openRelayStore(`${home.paths.home}/relay.db`);
    app = Fastify();
    await app.register(createRelayPlugin({ store }));
    const vault = newVault({ vaultId, id: 'devA', dev, join });
    expect((await call('POST', '/v1/sync/vaults', vault.body)).status).toBe(201);
  });
  afterEach(async () => {
    await app.close();
    store.close();
    home.cleanup();
  });

  it('appends in deviceSeq order, answers duplicates idempotently and gaps with the expected seq', async () => {
    const url = `/v1/sync/vaults/${vaultId}/batches`;
    const first = [env(1), env(2)];
    expect((await call('POST', url, { envelopes: first })).json).toEqual({ results: [{ seq: 1 }, { seq: 2 }] });
    expect((await call('POST', url, { envelopes: first })).json).toEqual({
      results: [
        { seq: 1, dup: true },
        { seq: 2, dup: true },
      ],
    });
    const gap = await call('POST', url, { envelopes: [env(5)] });
    expect(gap.status).toBe(409);
    // One error envelope for the API and the relay: the facts a client needs are in error.details.
    expect(gap.json).toMatchObject({
      error: { code: 'SYNC_SEQ_GAP', hint: expect.any(String), details: { expectedDeviceSeq: 3, results: [] } },
    });
    const equivocal = await call('POST', url, { envelopes: [env(2)] });
    expect(equivocal.status).toBe(409);
    expect(
      await call('POST', url, { envelopes: Array.from({ length: MAX_PUSH_ENVELOPES + 1 }, (_, i) => env(i + 3)) }),
    ).toMatchObject({ status: 413 });
    const head = await call('GET', `/v1/sync/vaults/${vaultId}/head`);
    expect(head.json).toEqual({ head: 2, perDevice: { devA: 2 } });
  });

  it('refuses unsigned, wrongly signed, replayed-late and unknown-device requests', async () => {
    const url = `/v1/sync/vaults/${vaultId}/head`;
    expect((await app.inject({ method: 'GET', url })).statusCode).toBe(401);
    expect((await call('GET', url, undefined, newDeviceKeys())).status).toBe(401);
    expect((await call('GET', url, undefined, dev, 'devZ')).status).toBe(401);
    const stale = signRequest('devA', dev.signSk, 'GET', url, '', Date.now() - 60 * 60_000);
    expect((await app.inject({ method: 'GET', url, headers: stale })).statusCode).toBe(401);
    // A signature is bound to the path: replaying it on another path fails.
    const other = signRequest('devA', dev.signSk, 'GET', url, '', Date.now());
    expect(
      (await app.inject({ method: 'GET', url: `/v1/sync/vaults/${vaultId}/devices`, headers: other })).statusCode,
    ).toBe(401);
    // Authentication comes before the body is parsed: unsigned garbage is refused as unsigned.
    const garbage = { method: 'POST' as const, url: `/v1/sync/vaults/${vaultId}/batches`, payload: '{not json' };
    const json = { 'content-type': 'application/json' };
    expect((await app.inject({ ...garbage, headers: json })).statusCode).toBe(401);
    const signed = signRequest('devA', dev.signSk, 'POST', garbage.url, garbage.payload, Date.now());
    expect((await app.inject({ ...garbage, headers: { ...json, ...signed } })).statusCode).toBe(400);
  });

  it('validates every route against its schema and answers in the error envelope, naming the field', async () => {
    const bad = await call('POST', `/v1/sync/vaults/${vaultId}/batches`, { envelopes: [42] });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatchObject({ code: 'SYNC_BAD_REQUEST', message: expect.stringContaining('envelopes') });
    const page = await call('GET', `/v1/sync/vaults/${vaultId}/batches?limit=100000`);
    expect(page).toMatchObject({ status: 400, json: { error: { code: 'SYNC_BAD_REQUEST' } } });
    const vault = await call('POST', '/v1/sync/vaults', { vaultId: 'x', params: {}, genesis: {}, keys: {} });
    expect(vault).toMatchObject({ status: 400, json: { error: { message: expect.stringContaining('vaultId') } } });
    const keys = await call('GET', `/v1/sync/vaults/${vaultId}/keys/-1`);
    expect(keys).toMatchObject({ status: 400, json: { error: { code: 'SYNC_BAD_REQUEST' } } });
  });

  it('pages by seq with limit and maxBytes', async () => {
    const url = `/v1/sync/vaults/${vaultId}/batches`;
    await call('POST', url, { envelopes: Array.from({ length: 10 }, (_, i) => env(i + 1)) });
    const seen: number[] = [];
    let after = 0;
    for (;;) {
      const page = (await call('GET', `${url}?after=${after}&limit=3`)).json as {
        items: { seq: number }[];
        done: boolean;
        head: number;
      };
      seen.push(...page.items.map((i) => i.seq));
      after = page.items.at(-1)?.seq ?? after;
      if (page.done) break;
    }
    expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const small = (await call('GET', `${url}?after=0&limit=100&maxBytes=1024`)).json as {
      items: unknown[];
      done: boolean;
    };
    expect(small.items.length).toBeLessThan(10);
    expect(small.done).toBe(false);
  });

  it('serves over a real socket (listen on port 0)', async () => {
    const address = await app.listen({ host: '127.0.0.1', port: 0 });
    const res = await fetch(`${address}/v1/sync/vaults/${vaultId}/params`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { params: { joinPk0: string } }).params.joinPk0).toBe(toB64(join.pk));
    expect((await fetch(`${address}/v1/sync/vaults/nope-nope-nope/params`)).status).toBe(404);
  });
});
