/**
 * What strangers can cost the relay (docs/api.md, "Sync relay"): authentication before the body, body limits per
 * route, rate limits by address and by device, quotas per address and per vault, and expired pairing messages swept
 * on a timer with the space given back. The same patterns against a `progeny serve` process, with its memory
 * measured, are in test/e2e/relay-abuse.test.ts.
 */
import { statSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { randomKey } from '../../core/sync/crypto.js';
import { ENVELOPE_VERSION, sealEnvelope } from '../../core/sync/envelope.js';
import { signRequest } from '../../core/sync/request-sig.js';
import { newVault, signed, startTestRelay, type TestRelay } from '../../testing/relay-fixture.js';
import { BODY_LIMITS } from './context.js';

let relay: TestRelay;
afterEach(async () => relay?.close());

describe('relay: authentication before the body', () => {
  it('verifies the signature from the headers and the body against its signed hash', async () => {
    relay = await startTestRelay();
    const v = newVault();
    expect((await relay.call('POST', '/v1/sync/vaults', v.body, v.signer)).status).toBe(201);
    const url = `/v1/sync/vaults/${v.vaultId}/cursor`;
    const ok = signed('POST', url, { seq: 0 }, v.signer);
    expect((await relay.app.inject({ method: 'POST', url, ...ok })).statusCode).toBe(200);
    // The same signed headers with another body: the body does not match the hash the signature covers.
    const swapped = await relay.app.inject({ method: 'POST', url, headers: ok.headers, payload: '{"seq":1}' });
    expect(swapped.statusCode).toBe(401);
    expect(swapped.json()).toMatchObject({ error: { code: 'SYNC_UNAUTHORIZED' } });
    // A body without the hash header cannot be authenticated before it is read, so it is refused.
    const { 'x-progeny-content-sha256': _, ...noHash } = ok.headers;
    const old = await relay.app.inject({ method: 'POST', url, headers: noHash, payload: ok.payload });
    expect(old.statusCode).toBe(401);
    expect(old.json().error.message).toContain('x-progeny-content-sha256');
  });

  it('refuses an unauthenticated body by its headers alone, and closes the connection', async () => {
    relay = await startTestRelay();
    const res = await relay.app.inject({
      method: 'PUT',
      url: '/v1/sync/vaults/vault-0000000001/snapshot',
      headers: { 'content-type': 'application/json', 'x-progeny-device': 'nobody' },
      payload: JSON.stringify({ seq: 1, data: 'A'.repeat(1024) }),
    });
    expect(res.statusCode).toBe(401);
  });
});

describe('relay: body limits per route', () => {
  it('sizes each route to what clients send', async () => {
    relay = await startTestRelay();
    const big = newVault({ filler: BODY_LIMITS.vault });
    const res = await relay.call('POST', '/v1/sync/vaults', big.body, big.signer);
    expect(res).toMatchObject({ status: 413, json: { error: { code: 'SYNC_TOO_LARGE' } } });
    const pair = await relay.call('POST', `/v1/sync/pair/${'p'.repeat(20)}`, { payload: 'x'.repeat(BODY_LIMITS.pair) });
    expect(pair.status).toBe(413);
    const v = newVault();
    expect((await relay.call('POST', '/v1/sync/vaults', v.body, v.signer)).status).toBe(201);
    const push = await relay.call(
      'POST',
      `/v1/sync/vaults/${v.vaultId}/batches`,
      { envelopes: ['A'.repeat(BODY_LIMITS.push)] },
      v.signer,
    );
    expect(push.status).toBe(413);
  });
});

describe('relay: rate limits', () => {
  it('limits by address before authentication, whatever device header is sent', async () => {
    relay = await startTestRelay({ limits: { rate: { perSecond: 0.1, burst: 5 } } });
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      const res = await relay.app.inject({
        method: 'GET',
        url: '/v1/sync/vaults/vault-0000000001/head',
        headers: { 'x-progeny-device': `rotating-${i}` },
        remoteAddress: '10.0.0.1',
      });
      statuses.push(res.statusCode);
      if (res.statusCode === 429) expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429, 429]);
    // Another address has its own budget; an IPv6 host is one address for its whole /64.
    expect(
      (await relay.call('GET', '/v1/sync/vaults/vault-0000000001/head', undefined, undefined, '10.0.0.2')).status,
    ).toBe(401);
    for (let i = 0; i < 5; i++)
      await relay.call('GET', '/v1/sync/pair/aaaaaaaaaaaaaaaa', undefined, undefined, `2001:db8::${i}`);
    expect(
      (await relay.call('GET', '/v1/sync/pair/aaaaaaaaaaaaaaaa', undefined, undefined, '2001:db8::ff')).status,
    ).toBe(429);
  });

  it('limits a device after authentication, from whichever address it comes', async () => {
    relay = await startTestRelay({ limits: { rate: { perSecond: 0.1, burst: 4 } } });
    const v = newVault();
    expect((await relay.call('POST', '/v1/sync/vaults', v.body, v.signer, '10.0.0.9')).status).toBe(201);
    const head = `/v1/sync/vaults/${v.vaultId}/head`;
    const statuses = [];
    for (let i = 0; i < 5; i++)
      statuses.push((await relay.call('GET', head, undefined, v.signer, `10.0.1.${i}`)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 429]);
  });
});

describe('relay: quotas', () => {
  it('lets one address create relay.vaultsPerAddress vaults per day', async () => {
    relay = await startTestRelay({ limits: { vaultsPerAddress: 3 } });
    const statuses = [];
    for (let i = 0; i < 5; i++) {
      const v = newVault();
      statuses.push((await relay.call('POST', '/v1/sync/vaults', v.body, v.signer, '10.0.0.3')).status);
    }
    expect(statuses).toEqual([201, 201, 201, 429, 429]);
    const v = newVault();
    const refused = await relay.call('POST', '/v1/sync/vaults', v.body, v.signer, '10.0.0.3');
    expect(refused.json).toMatchObject({ error: { code: 'SYNC_QUOTA' } });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(23 * 3600);
    expect((await relay.call('POST', '/v1/sync/vaults', v.body, v.signer, '10.0.0.4')).status).toBe(201);
  });

  it('stores at most relay.vaultBytes per vault', async () => {
    relay = await startTestRelay({ limits: { vaultBytes: 8 * 1024 } });
    const v = newVault();
    expect((await relay.call('POST', '/v1/sync/vaults', v.body, v.signer)).status).toBe(201);
    const env = (seq: number): string =>
      Buffer.from(
        sealEnvelope(
          {
            v: ENVELOPE_VERSION,
            vaultId: v.vaultId,
            deviceId: v.signer.id,
            deviceSeq: seq,
            prevHash: '',
            keyEpoch: 0,
            hlcMin: 'a',
            hlcMax: 'b',
          },
          randomKey()
            .map(() => 0x41)
            .subarray(0, 32),
          randomKey(),
          v.signer.signSk,
        ),
      ).toString('base64');
    const url = `/v1/sync/vaults/${v.vaultId}/batches`;
    let seq = 0;
    let last;
    do last = await relay.call('POST', url, { envelopes: [env(++seq)] }, v.signer);
    while (last.status === 200 && seq < 1000);
    expect(last).toMatchObject({ status: 413, json: { error: { code: 'SYNC_VAULT_FULL' } } });
    expect(relay.store.vaultBytes(v.vaultId)).toBeLessThanOrEqual(8 * 1024);
    expect(seq).toBeGreaterThan(5);
  });

  it('caps pairing messages per address and in all, sweeps expired ones on a timer and shrinks relay.db', async () => {
    let now = Date.now();
    relay = await startTestRelay({
      now: () => now,
      limits: { pairRowsPerAddress: 100, pairRows: 150 },
      sweepEveryMs: 20,
    });
    const post = (i: number, ip: string) =>
      relay.call(
        'POST',
        `/v1/sync/pair/${`flood${ip.replace(/\./g, '_')}-${Math.floor(i / 16)}`.padEnd(16, '0')}`,
        { payload: 'p'.repeat(16_000) },
        undefined,
        ip,
      );
    const first = await Promise.all(Array.from({ length: 120 }, (_, i) => post(i, '10.0.0.5')));
    expect(first.filter((r) => r.status === 201)).toHaveLength(100);
    expect(first.find((r) => r.status !== 201)?.json).toMatchObject({ error: { code: 'SYNC_QUOTA' } });
    const second = await Promise.all(Array.from({ length: 80 }, (_, i) => post(i, '10.0.0.6')));
    expect(second.filter((r) => r.status === 201)).toHaveLength(50);
    const file = relay.store.db.name;
    const size = (): number => statSync(file).size + (statSync(`${file}-wal`, { throwIfNoEntry: false })?.size ?? 0);
    const full = size();
    expect(full).toBeGreaterThan(2_000_000);
    now += 11 * 60_000; // past the 10-minute expiry: the timer deletes them and gives the pages back
    await delay(200);
    expect(relay.store.db.prepare('SELECT count(*) FROM pair').pluck().get()).toBe(0);
    expect(size()).toBeLessThan(full / 4);
    expect((await post(0, '10.0.0.5')).status).toBe(201);
  });
});

describe('relay: request signatures', () => {
  it('sign the body hash, sent as a header', () => {
    const v = newVault();
    const h = signRequest(v.signer.id, v.signer.signSk, 'POST', '/x', '{}', 1);
    expect(h['x-progeny-content-sha256']).toMatch(/^[0-9a-f]{64}$/);
  });
});
