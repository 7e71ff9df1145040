/**
 * What strangers can cost the relay (docs/api.md, "Sync relay"): `progeny serve` as a process, attacked the way issue
 * 12 did — 200 MiB unauthenticated bodies (one, then three at once), 10k requests with rotating long device headers,
 * floods of vaults and pairing rows — while its resident memory is read from /proc from outside. Each pattern is kept
 * short (a few seconds) so the suite stays quick.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { randomKey, toB64 } from '../../src/core/sync/crypto.js';
import { newVault, signed } from '../../src/testing/relay-fixture.js';
import { makeHome, type Home } from './cli-harness.js';
import { hugeRequest, peakRssMb, startServe, type Serve } from './relay-abuse-harness.js';

const RSS_LIMIT_MB = 150;
const MiB = 1024 * 1024;
let home: Home;
let serve: Serve;

beforeAll(async () => {
  // The hash embedder: this test measures what strangers cost the relay, so the process must not also hold the
  // semantic model (its resident cost is measured on its own: docs/embeddings.md).
  home = makeHome({ PROGENY_EMBEDDER_KIND: 'hash' });
  serve = await startServe(home);
}, 30_000);

afterAll(async () => {
  await serve?.stop();
  home?.cleanup();
});

/** A valid vault-creation request (its own genesis device and join key) with `filler` bytes in its params. */
function vaultRequest(filler = 0): { path: string; body: string; headers: Record<string, string> } {
  const v = newVault({ filler });
  const path = '/v1/sync/vaults';
  const { headers, payload } = signed('POST', path, v.body, v.signer);
  return { path, body: payload ?? '', headers };
}

describe('relay under abuse (a progeny serve process, RSS measured from outside)', () => {
  it('one unauthenticated 200 MiB body is refused before it is read', async () => {
    const before = peakRssMb(serve.pid);
    const res = await hugeRequest(serve.port, 'PUT', '/v1/sync/vaults/vault-0000000001/snapshot', 200 * MiB);
    expect(peakRssMb(serve.pid), `peak RSS, idle ${before} MB`).toBeLessThanOrEqual(RSS_LIMIT_MB);
    expect(res.status).toBe(401);
    expect(res.sentBytes).toBeLessThan(200 * MiB);
  }, 60_000);

  it('three concurrent unauthenticated 200 MiB bodies too', async () => {
    const all = await Promise.all(
      [1, 2, 3].map((i) => hugeRequest(serve.port, 'PUT', `/v1/sync/vaults/vault-000000000${i}/snapshot`, 200 * MiB)),
    );
    expect(peakRssMb(serve.pid)).toBeLessThanOrEqual(RSS_LIMIT_MB);
    for (const res of all) expect(res.status).toBe(401);
  }, 60_000);

  it('vault floods: oversized params are refused, and one address may create only a few vaults', async () => {
    const big = vaultRequest(1_900_000);
    const res = await request(`${serve.url}${big.path}`, { method: 'POST', headers: big.headers, body: big.body });
    await res.body.dump();
    expect(res.statusCode).toBe(413);
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) {
      const v = vaultRequest(2000);
      const r = await request(`${serve.url}${v.path}`, { method: 'POST', headers: v.headers, body: v.body });
      statuses.push(r.statusCode);
      await r.body.dump();
    }
    expect(statuses.filter((s) => s === 201).length).toBeLessThanOrEqual(10);
    expect(statuses.filter((s) => s !== 201).every((s) => s === 429)).toBe(true);
  }, 60_000);

  it('pairing floods: rows per address are capped and relay.db stays small', async () => {
    let created = 0;
    const codes = new Set<string>();
    const payload = 'p'.repeat(16_000);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < 400) {
        const i = next++;
        const id = `pair-flood-${String(Math.floor(i / 16)).padStart(6, '0')}`;
        const r = await request(`${serve.url}/v1/sync/pair/${id}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ payload }),
        });
        const reply = (await r.body.json()) as { error?: { code: string } };
        if (r.statusCode === 201) created += 1;
        else codes.add(`${r.statusCode} ${reply.error?.code ?? ''}`);
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    // 64 rows per address (relay.pairRowsPerAddress), refused as a quota before the address's rate limit (burst 200).
    expect(created).toBe(64);
    expect([...codes]).toContain('429 SYNC_QUOTA');
    const db = join(home.dir, 'relay.db');
    const bytes = statSync(db).size + (statSync(`${db}-wal`, { throwIfNoEntry: false })?.size ?? 0);
    expect(bytes).toBeLessThan(3 * MiB);
    expect(peakRssMb(serve.pid)).toBeLessThanOrEqual(RSS_LIMIT_MB);
  }, 60_000);

  it('10k requests with rotating 8 KiB device headers are limited by address, with bounded state', async () => {
    const statuses = new Map<number, number>();
    let sent = 0;
    const worker = async (): Promise<void> => {
      while (sent < 10_000) {
        sent += 1;
        const res = await request(`${serve.url}/v1/sync/vaults/vault-0000000001/head`, {
          headers: { 'x-progeny-device': toB64(randomKey()).repeat(190).slice(0, 8192) },
        });
        await res.body.dump();
        statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
    expect(statuses.get(429) ?? 0, JSON.stringify([...statuses])).toBeGreaterThan(9_000);
    expect(peakRssMb(serve.pid)).toBeLessThanOrEqual(RSS_LIMIT_MB);
  }, 120_000);
});
