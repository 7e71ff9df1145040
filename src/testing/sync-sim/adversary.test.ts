/**
 * Failure tests 5, 7, 8 and 13 of docs/sync.md: pagination under concurrent appends; swapped, forged and revoked-key
 * envelopes; a malicious relay that replays, reorders, withholds, rolls back, forks or equivocates; a batch from a
 * newer envelope version is kept, not dropped.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { loadVault } from '../../core/sync/vault-state.js';
import { ENVELOPE_VERSION, envelopeHash, sealEnvelope } from '../../core/sync/envelope.js';
import type { HttpResponse } from '../../core/sync/transport.js';
import { signed } from '../relay-fixture.js';
import { createSim, type Sim } from './sim.js';
import type { SimDevice } from './device.js';

const say = (d: SimDevice, text: string): void => {
  const conv = d.conversations.latest('creator') ?? d.conversations.create('creator');
  d.conversations.append({ conversationId: conv.id, turnId: text, role: 'user', text, status: 'complete', meta: {} });
};
const texts = (d: SimDevice): string[] =>
  d.db.prepare('SELECT text FROM messages ORDER BY hlc').pluck().all() as string[];
const alarms = async (d: SimDevice): Promise<string[]> => (await d.sync.status()).alarms.map((a) => a.kind);

interface PageBody {
  items: { seq: number; envelope: string }[];
  head: number;
  done: boolean;
  prev?: string | null;
}

/** Rewrites GET …/batches pages for one device. */
function rewritePages(sim: Sim, device: string, fn: (page: PageBody) => PageBody): void {
  sim.net.tamper = (req, res): HttpResponse => {
    if (req.method !== 'GET' || !req.url.includes('/batches') || !req.headers['x-progeny-device'] || res.status !== 200)
      return res;
    if (sim.devices.find((d) => d.name === device)?.deviceId !== req.headers['x-progeny-device']) return res;
    return { ...res, body: JSON.stringify(fn(JSON.parse(res.body) as PageBody)) };
  };
}

describe('sync against a misbehaving relay and forged batches', () => {
  let sim: Sim;
  afterEach(async () => sim?.close());

  const setup = async (n = 2): Promise<SimDevice[]> => {
    sim = await createSim({ seed: 8, devices: n });
    await sim.setupVault();
    await sim.quiesce(2);
    return sim.devices;
  };

  it('pagination with concurrent appends: no skips, no repeats', async () => {
    const [a, b, c] = (await setup(3)) as [SimDevice, SimDevice, SimDevice];
    for (let i = 0; i < 30; i++) {
      say(a, `a${i}`);
      await a.sync.push();
    }
    let extra = 0;
    sim.net.beforeDeliver = async (device, req) => {
      if (device === 'dev1' && req.method === 'GET' && req.url.includes('/batches') && extra < 10) {
        sim.net.beforeDeliver = undefined;
        for (; extra < 10; extra++) {
          say(c, `c${extra}`);
          await c.sync.push();
        }
        sim.net.beforeDeliver = undefined;
      }
    };
    await b.sync.pull({ pageSize: 7 });
    await b.sync.pull({ pageSize: 7 });
    const got = texts(b);
    expect(got).toHaveLength(40);
    expect(new Set(got).size).toBe(40);
    expect(await alarms(b)).toEqual([]);
  });

  it('replay and reorder by the relay are detected; out-of-order batches are buffered and applied in order', async () => {
    const [a, b] = (await setup()) as [SimDevice, SimDevice];
    for (const t of ['x1', 'x2', 'x3']) {
      say(a, t);
      await a.sync.push();
    }
    // Serve the page reversed: batch 3 and 2 arrive before 1 → buffered, then applied in deviceSeq order.
    rewritePages(sim, 'dev1', (p) => ({
      ...p,
      items: [...p.items].reverse().map((it, i, arr) => ({ ...it, seq: (arr.at(-1)?.seq ?? 0) + i })),
    }));
    await b.sync.pull();
    expect(texts(b)).toEqual(['x1', 'x2', 'x3']);
    // Replay: the relay serves an already-applied batch again under a new seq. (It leaves out `prev`, as relays before
    // issue 12 did: the renumbering above would otherwise show as a reused seq and stop the pull; see recovery.test.ts.)
    say(a, 'x4');
    await a.sync.push();
    let replayed: { seq: number; envelope: string } | undefined;
    rewritePages(sim, 'dev1', ({ prev: _prev, ...p }) => {
      if (!p.items.length) return p;
      replayed ??= sim.store.db
        .prepare('SELECT seq, envelope FROM log WHERE device_id = ? ORDER BY seq LIMIT 1')
        .all(a.deviceId)
        .map((r) => ({ seq: 0, envelope: (r as { envelope: Buffer }).envelope.toString('base64') }))[0];
      const last = p.items.at(-1) as { seq: number };
      return { ...p, items: [...p.items, { seq: last.seq + 1, envelope: replayed!.envelope }], head: last.seq + 1 };
    });
    await b.sync.pull();
    expect(texts(b)).toEqual(['x1', 'x2', 'x3', 'x4']);
    expect(await alarms(b)).toContain('replay');
    // Reorder below the cursor (with the head the relay claimed before, or the pull would stop at a rollback).
    rewritePages(sim, 'dev1', ({ prev: _prev, ...p }) => ({
      ...p,
      head: p.head + 1,
      items: [{ seq: 1, envelope: replayed!.envelope }],
    }));
    await b.sync.pull();
    expect(await alarms(b)).toContain('reorder');
  });

  it('withholding a batch leaves a gap alarm and applies nothing after it', async () => {
    const [a, b] = (await setup()) as [SimDevice, SimDevice];
    for (const t of ['w1', 'w2', 'w3']) {
      say(a, t);
      await a.sync.push();
    }
    const before = texts(b);
    rewritePages(sim, 'dev1', (p) => ({ ...p, items: p.items.filter((_, i) => i !== 0) }));
    await b.sync.pull();
    expect(texts(b)).toEqual(before);
    expect(await alarms(b)).toContain('gap');
    expect((await b.sync.status()).parked.find((x) => x.reason === 'gap')?.count).toBe(2);
  });

  it('a rollback of the relay head is detected', async () => {
    const [a, b] = (await setup()) as [SimDevice, SimDevice];
    say(a, 'r1');
    await a.sync.push();
    await b.sync.pull();
    rewritePages(sim, 'dev1', () => ({ items: [], head: 1, done: true }));
    await b.sync.pull();
    expect(await alarms(b)).toContain('rollback');
  });

  it('forks and equivocation (two different batches for one deviceSeq) are detected', async () => {
    const [a, b] = (await setup()) as [SimDevice, SimDevice];
    say(a, 'e1');
    await a.sync.push();
    await b.sync.pull();
    const va = loadVault(a.paths);
    const seq = Number(a.db.prepare("SELECT value FROM meta WHERE key = 'sync_device_seq'").pluck().get());
    const seal = (deviceSeq: number, prevHash: string, text: string): Buffer =>
      Buffer.from(
        sealEnvelope(
          {
            v: ENVELOPE_VERSION,
            vaultId: va.vaultId,
            deviceId: va.deviceId,
            deviceSeq,
            prevHash,
            keyEpoch: 0,
            hlcMin: '0',
            hlcMax: '0',
          },
          Buffer.from(
            JSON.stringify([['message', `m-${text}`, '*', { conversationId: 'c', role: 'user', text }, '0']]),
          ),
          va.dataKeys.get(0) as Uint8Array,
          va.keys.signSk,
        ),
      );
    // Equivocation: a different batch with an already-applied deviceSeq.
    const equivocal = seal(seq, 'whatever', 'evil');
    // Fork: the next deviceSeq, but chained to something else.
    const fork = seal(seq + 1, envelopeHash(equivocal), 'forked');
    const cursor = (await b.sync.status()).cursor;
    rewritePages(sim, 'dev1', () => ({
      items: [
        { seq: 1000, envelope: equivocal.toString('base64') },
        { seq: 1001, envelope: fork.toString('base64') },
      ],
      head: 1001,
      done: true,
    }));
    // The pull stops at the first refused batch: the cursor does not move past it.
    const first = await b.sync.pull();
    expect(first.stalled).toEqual({ seq: 1000, kind: 'equivocation' });
    expect((await b.sync.status()).cursor).toBe(cursor);
    rewritePages(sim, 'dev1', () => ({
      items: [{ seq: 1001, envelope: fork.toString('base64') }],
      head: 1001,
      done: true,
    }));
    await b.sync.pull();
    const kinds = await alarms(b);
    expect(kinds).toContain('equivocation');
    expect(kinds).toContain('fork');
    expect(texts(b)).not.toContain('evil');
    expect(texts(b)).not.toContain('forked');
  });

  it('swapped and forged envelopes are refused by the relay and by clients', async () => {
    const [a, b, c] = (await setup(3)) as [SimDevice, SimDevice, SimDevice];
    say(a, 'genuine');
    await a.sync.push();
    const vc = loadVault(c.paths);
    // c signs a batch claiming to be a: the relay refuses it (not the requesting device)…
    const va = loadVault(a.paths);
    const forged = Buffer.from(
      sealEnvelope(
        {
          v: ENVELOPE_VERSION,
          vaultId: va.vaultId,
          deviceId: va.deviceId,
          deviceSeq: 99,
          prevHash: '',
          keyEpoch: 0,
          hlcMin: '0',
          hlcMax: '0',
        },
        Buffer.from('[]'),
        vc.dataKeys.get(0) as Uint8Array,
        vc.keys.signSk,
      ),
    );
    const url = `/v1/sync/vaults/${va.vaultId}/batches`;
    const body = { envelopes: [forged.toString('base64')] };
    const res = await sim.app.inject({
      method: 'POST',
      url,
      ...signed('POST', url, body, { id: vc.deviceId, signSk: vc.keys.signSk }, sim.clock.now()),
    });
    expect(res.statusCode).toBe(400);
    expect(res.body).toMatch(/another vault or device/);
    const unsigned = await sim.app.inject({
      method: 'POST',
      url,
      payload: JSON.stringify(body),
      headers: { 'content-type': 'application/json' },
    });
    expect(unsigned.statusCode).toBe(401);
    // …and a client served it by the relay rejects it too; a batch of a presented under c's name fails as well.
    const genuine = sim.store.db
      .prepare('SELECT envelope FROM log WHERE device_id = ? ORDER BY seq DESC LIMIT 1')
      .pluck()
      .get(a.deviceId) as Buffer;
    const swapped = Buffer.from(genuine);
    swapped.write(JSON.stringify({ deviceId: vc.deviceId }).slice(1, -1), 40);
    rewritePages(sim, 'dev1', (p) => ({
      ...p,
      items: [
        ...p.items,
        { seq: p.head + 1, envelope: forged.toString('base64') },
        { seq: p.head + 2, envelope: swapped.toString('base64') },
      ],
      head: p.head + 2,
    }));
    await b.sync.pull();
    expect(texts(b)).toEqual(['genuine']);
    const kinds = await alarms(b);
    expect(kinds.some((k) => k === 'tampered' || k === 'forged')).toBe(true);
  });

  it('a revoked device can no longer push, and its later batches are rejected by clients', async () => {
    const [a, b, c] = (await setup(3)) as [SimDevice, SimDevice, SimDevice];
    say(c, 'before revocation');
    await c.sync.push();
    await a.sync.revoke(c.deviceId, { passphrase: 'correct horse battery staple' });
    say(c, 'after revocation');
    await expect(c.sync.push()).rejects.toMatchObject({ code: 'SYNC_REVOKED' });
    await b.sync.pull();
    expect(texts(b)).toEqual(['before revocation']);
    // Rotation: a new epoch that the revoked device cannot open.
    say(a, 'secret after rotation');
    await a.sync.sync();
    await b.sync.sync();
    expect(texts(b)).toContain('secret after rotation');
    expect((await b.sync.status()).keyEpoch).toBe(1);
    expect(loadVault(c.paths).dataKeys.has(1)).toBe(false);
    await expect(c.sync.pull()).rejects.toMatchObject({ code: 'SYNC_REVOKED' });
  });

  it('a batch from a newer envelope version is kept (parked), not dropped', async () => {
    const [a, b] = (await setup()) as [SimDevice, SimDevice];
    const va = loadVault(a.paths);
    const seq = Number(a.db.prepare("SELECT value FROM meta WHERE key = 'sync_device_seq'").pluck().get());
    const future = Buffer.from(
      sealEnvelope(
        {
          v: ENVELOPE_VERSION + 1,
          vaultId: va.vaultId,
          deviceId: va.deviceId,
          deviceSeq: seq + 1,
          prevHash: '',
          keyEpoch: 0,
          hlcMin: '0',
          hlcMax: '0',
        },
        Buffer.from('[]'),
        va.dataKeys.get(0) as Uint8Array,
        va.keys.signSk,
      ),
    );
    rewritePages(sim, 'dev1', () => ({
      items: [{ seq: 500, envelope: future.toString('base64') }],
      head: 500,
      done: true,
    }));
    await b.sync.pull();
    sim.net.tamper = undefined;
    await b.sync.pull();
    expect((await b.sync.status()).parked).toEqual([{ reason: 'version', count: 1 }]);
    expect(b.db.prepare("SELECT envelope FROM sync_parked WHERE reason = 'version'").pluck().get()).toEqual(future);
  });
});
