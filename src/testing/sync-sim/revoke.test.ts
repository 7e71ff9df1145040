/**
 * Revocation that holds against a passphrase holder (issue 12, item 1; failure test 14 of docs/sync.md): pending
 * devices receive nothing until approved and can be rejected or revoked; a revocation retires the passphrase; the
 * revoked person who rejoins reads nothing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { signed } from '../relay-fixture.js';
import { loadVault, saveVault } from '../../core/sync/vault-state.js';
import type { SimDevice } from './device.js';
import { createSim, SIM_PASSPHRASE, SIM_RELAY, type Sim } from './sim.js';

const NEW_PASSPHRASE = 'orbit lantern kettle zebra';
const memoryTexts = (d: SimDevice): string[] => d.db.prepare('SELECT text FROM memories').pluck().all() as string[];

/** The relay's answers to a device reading the vault directly (what a modified client could ask for). */
async function directReads(sim: Sim, d: SimDevice): Promise<number[]> {
  const v = loadVault(d.paths);
  const base = `/v1/sync/vaults/${v.vaultId}`;
  const statuses: number[] = [];
  for (const url of [`${base}/batches?after=0`, `${base}/keys/0`, `${base}/keys/latest`, `${base}/snapshot`]) {
    const request = signed('GET', url, undefined, { id: v.deviceId, signSk: v.keys.signSk }, sim.clock.now());
    statuses.push((await sim.app.inject({ method: 'GET', url, ...request })).statusCode);
  }
  return statuses;
}

describe('revocation against a passphrase holder', () => {
  let sim: Sim;
  afterEach(async () => sim?.close());

  const setup = async (n: number): Promise<SimDevice[]> => {
    sim = await createSim({ seed: 30 + n, devices: n });
    await sim.setupVault();
    await sim.quiesce(1);
    return sim.devices;
  };

  it('a revoked person who rejoins with the passphrase they knew reads nothing, even memories written after', async () => {
    const [a, b, c] = (await setup(3)) as [SimDevice, SimDevice, SimDevice];
    const vaultId = loadVault(a.paths).vaultId;
    a.addMemory('written before the revoke');
    await a.sync.sync();
    // A backdoor prepared while still trusted: a second device of the same person, left pending.
    const backdoor = sim.addDevice('backdoor');
    await backdoor.sync.join(SIM_RELAY, vaultId, SIM_PASSPHRASE);
    const oldParams = sim.store.vault(vaultId)?.params;

    const r = await a.sync.revoke(c.deviceId, { newPassphrase: NEW_PASSPHRASE });
    expect(r).toMatchObject({ epoch: 1, passphrase: 'new' });
    a.addMemory('written after the revoke');
    await a.sync.sync();
    await b.sync.sync();
    expect(memoryTexts(b)).toContain('written after the revoke');

    // The person runs `sync join` again with the passphrase they knew…
    const again = sim.addDevice('rejoin');
    await expect(again.sync.join(SIM_RELAY, vaultId, SIM_PASSPHRASE)).rejects.toMatchObject({
      code: 'SYNC_WRONG_PASSPHRASE',
    });
    // …or with the wrapped root key they saved before: the relay refuses a join signed with the old join key.
    sim.net.tamper = (req, res) =>
      req.url.endsWith('/params') && req.method === 'GET'
        ? { ...res, body: JSON.stringify({ params: oldParams, epoch: 0 }) }
        : res;
    await expect(again.sync.join(SIM_RELAY, vaultId, SIM_PASSPHRASE)).rejects.toMatchObject({ code: 'SYNC_BAD_JOIN' });
    sim.net.tamper = undefined;
    // The pending backdoor was dropped with the revocation; it can neither pull nor read the relay directly.
    await expect(backdoor.sync.pull()).rejects.toMatchObject({ status: 401 });
    for (const status of await directReads(sim, backdoor)) expect(status).toBe(401);
    expect(memoryTexts(backdoor)).toEqual([]);
    expect(memoryTexts(again)).toEqual([]);
    // The revoked device itself is refused, and holds no key of the new epoch.
    for (const status of await directReads(sim, c)) expect(status).toBe(403);
    expect(loadVault(c.paths).dataKeys.has(1)).toBe(false);
  });

  it('batches a device pushed before its revocation still apply on a device that learned of the revocation first', async () => {
    const [a, b, c] = (await setup(3)) as [SimDevice, SimDevice, SimDevice];
    for (const t of ['c one', 'c two']) {
      c.addMemory(t);
      await c.sync.push();
    }
    await a.sync.revoke(c.deviceId, { newPassphrase: NEW_PASSPHRASE });
    await b.sync.devices(); // b refreshes its device log, then pulls later with that log
    await b.sync.pull();
    expect(memoryTexts(b)).toEqual(expect.arrayContaining(['c one', 'c two']));
    expect((await b.sync.status()).alarms).toEqual([]);
  });

  it('an admin set up before devices kept the join key gives the current passphrase once to revoke', async () => {
    const [a, b] = (await setup(2)) as [SimDevice, SimDevice];
    const va = loadVault(a.paths);
    delete va.joinSeed;
    saveVault(a.paths, va);
    const admin = a.reopen();
    await expect(admin.sync.revoke(b.deviceId, { newPassphrase: NEW_PASSPHRASE })).rejects.toMatchObject({
      code: 'SYNC_NEED_PASSPHRASE',
    });
    const r = await admin.sync.revoke(b.deviceId, { newPassphrase: NEW_PASSPHRASE, passphrase: SIM_PASSPHRASE });
    expect(r.passphrase).toBe('new');
    expect(loadVault(admin.paths).joinSeed).toBeDefined();
    sim.devices[0] = admin;
  });

  it('a pending device receives no keys, batches, keyrings or snapshot until approved', async () => {
    const [a] = (await setup(1)) as [SimDevice];
    a.addMemory('for approved devices only');
    await a.sync.sync();
    await a.sync.snapshot();
    const d = sim.addDevice('newcomer');
    await d.sync.join(SIM_RELAY, loadVault(a.paths).vaultId, SIM_PASSPHRASE);
    expect(loadVault(d.paths).dataKeys.size).toBe(0);
    await expect(d.sync.pull()).rejects.toMatchObject({ code: 'SYNC_PENDING', exitCode: 7 });
    for (const status of await directReads(sim, d)) expect(status).toBe(403);
    expect(memoryTexts(d)).toEqual([]);
    await a.sync.approve(d.deviceId);
    await d.sync.sync();
    expect(memoryTexts(d)).toContain('for approved devices only');
    expect((await d.sync.status()).alarms).toEqual([]);
  });

  it('a pending device can be rejected, and revoked for good', async () => {
    const [a] = (await setup(1)) as [SimDevice];
    const vaultId = loadVault(a.paths).vaultId;
    const d = sim.addDevice('stranger');
    await d.sync.join(SIM_RELAY, vaultId, SIM_PASSPHRASE);
    expect((await a.sync.devices()).pending.map((p) => p.id)).toEqual([d.deviceId]);
    await a.sync.reject(d.deviceId);
    expect((await a.sync.devices()).pending).toEqual([]);
    await expect(d.sync.pull()).rejects.toMatchObject({ status: 401 });

    const e = sim.addDevice('intruder');
    await e.sync.join(SIM_RELAY, vaultId, SIM_PASSPHRASE);
    const r = await a.sync.revoke(e.deviceId, { newPassphrase: NEW_PASSPHRASE });
    expect(r.passphrase).toBe('new');
    const listed = (await a.sync.devices()).status.devices.find((x) => x.id === e.deviceId);
    expect(listed?.status).toBe('revoked');
    await expect(e.sync.pull()).rejects.toMatchObject({ code: 'SYNC_REVOKED' });
    // The same device cannot ask again.
    const ev = loadVault(e.paths);
    const url = `/v1/sync/vaults/${vaultId}/join`;
    const body = { op: { op: 'add', id: ev.deviceId } };
    const res = await sim.app.inject({
      method: 'POST',
      url,
      ...signed('POST', url, body, { id: ev.deviceId, signSk: ev.keys.signSk }, 0),
    });
    expect(res.statusCode).toBeGreaterThanOrEqual(400);
    expect((await a.sync.devices()).pending).toEqual([]);
  });

  it('a revocation retires the passphrase: without a new one none opens the vault, and the old one cannot return', async () => {
    const [a, b, c] = (await setup(3)) as [SimDevice, SimDevice, SimDevice];
    const vaultId = loadVault(a.paths).vaultId;
    await expect(a.sync.revoke(b.deviceId, { newPassphrase: SIM_PASSPHRASE })).rejects.toMatchObject({
      code: 'SYNC_PASSPHRASE_RETIRED',
    });
    expect((await a.sync.devices()).status.devices.find((x) => x.id === b.deviceId)?.status).toBe('active');
    expect(await a.sync.revoke(b.deviceId)).toMatchObject({ epoch: 1, passphrase: 'none' });
    const d = sim.addDevice('later');
    await expect(d.sync.join(SIM_RELAY, vaultId, SIM_PASSPHRASE)).rejects.toMatchObject({ code: 'SYNC_NO_PASSPHRASE' });
    await expect(a.sync.changePassphrase(undefined, SIM_PASSPHRASE)).rejects.toMatchObject({
      code: 'SYNC_PASSPHRASE_RETIRED',
    });
    // Members learn the join key from the rotation's box; the admin sets a new passphrase without the old one.
    await c.sync.pull();
    expect(loadVault(c.paths).joinSeed).toBeDefined();
    await a.sync.changePassphrase(undefined, NEW_PASSPHRASE);
    await d.sync.join(SIM_RELAY, vaultId, NEW_PASSPHRASE);
    await a.sync.approve(d.deviceId);
    a.addMemory('after the new passphrase');
    await a.sync.sync();
    await d.sync.sync();
    expect(memoryTexts(d)).toContain('after the new passphrase');
  });
});
