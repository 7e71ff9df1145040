/**
 * Failure test 11 of docs/sync.md: wrong passphrase, KDF downgrade, passphrase change, rotation after revocation, and a
 * pairing man-in-the-middle caught (by the code's secret, and the short strings differ).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { loadVault } from '../../core/sync/vault-state.js';
import { checkKdfParams, newKdfParams, type ScryptParams } from '../../core/sync/kdf.js';
import { createSim, SIM_KDF, SIM_PASSPHRASE, SIM_RELAY, type Sim } from './sim.js';
import type { SimDevice } from './device.js';

describe('sync keys', () => {
  let sim: Sim;
  afterEach(async () => sim?.close());

  it('a wrong passphrase opens nothing and leaves the home unconfigured', async () => {
    sim = await createSim({ seed: 1, devices: 2 });
    const [a, b] = sim.devices as [SimDevice, SimDevice];
    await a.sync.init(SIM_RELAY, SIM_PASSPHRASE, { kdfCost: SIM_KDF });
    const vaultId = (await a.sync.status()).vaultId as string;
    await expect(b.sync.join(SIM_RELAY, vaultId, 'wrong passphrase!!')).rejects.toMatchObject({
      code: 'SYNC_WRONG_PASSPHRASE',
      exitCode: 7,
    });
    expect((await b.sync.status()).configured).toBe(false);
  });

  it('refuses KDF parameters below the floor (a relay downgrade)', async () => {
    const legacy = newKdfParams({ name: 'scrypt', N: 1 << 15, r: 8, p: 1 }) as ScryptParams;
    expect(() => checkKdfParams({ ...legacy, N: 1 << 10 })).toThrow(/outside this client/);
    expect(() => checkKdfParams({ ...legacy, r: 1 })).toThrow(/outside this client/);
    expect(() => checkKdfParams({ ...legacy, salt: 'c2FsdA==' })).toThrow(/outside this client/);
    sim = await createSim({ seed: 2, devices: 2 });
    const [a, b] = sim.devices as [SimDevice, SimDevice];
    await a.sync.init(SIM_RELAY, SIM_PASSPHRASE, { kdfCost: SIM_KDF });
    const vaultId = (await a.sync.status()).vaultId as string;
    sim.net.tamper = (req, res) => {
      if (!req.url.endsWith('/params')) return res;
      const body = JSON.parse(res.body) as { params: { kdf: { m: number } } };
      body.params.kdf.m = 1 << 8;
      return { ...res, body: JSON.stringify(body) };
    };
    await expect(b.sync.join(SIM_RELAY, vaultId, SIM_PASSPHRASE)).rejects.toMatchObject({ code: 'SYNC_KDF_DOWNGRADE' });
  });

  it('a passphrase change re-wraps the root key: the old one stops working, devices are unaffected', async () => {
    sim = await createSim({ seed: 3, devices: 3 });
    const [a, b, c] = sim.devices as [SimDevice, SimDevice, SimDevice];
    await a.sync.init(SIM_RELAY, SIM_PASSPHRASE, { kdfCost: SIM_KDF });
    const vaultId = (await a.sync.status()).vaultId as string;
    await b.sync.join(SIM_RELAY, vaultId, SIM_PASSPHRASE);
    await a.sync.approve(b.deviceId);
    await a.sync.changePassphrase(SIM_PASSPHRASE, 'a brand new passphrase', { kdfCost: SIM_KDF });
    await expect(c.sync.join(SIM_RELAY, vaultId, SIM_PASSPHRASE)).rejects.toMatchObject({
      code: 'SYNC_WRONG_PASSPHRASE',
    });
    await c.sync.join(SIM_RELAY, vaultId, 'a brand new passphrase');
    await a.sync.approve(c.deviceId);
    a.addMemory('still flowing');
    await a.sync.sync();
    await b.sync.sync();
    expect(b.db.prepare('SELECT text FROM memories').pluck().all()).toContain('still flowing');
    await c.sync.pull();
    expect(c.db.prepare('SELECT text FROM memories').pluck().all()).toContain('still flowing');
  });

  it('a weak passphrase is refused at init and at a change, saying why; nothing is created', async () => {
    sim = await createSim({ seed: 6, devices: 1 });
    const [a] = sim.devices as [SimDevice];
    await expect(a.sync.init(SIM_RELAY, 'password1', { kdfCost: SIM_KDF })).rejects.toMatchObject({
      code: 'SYNC_WEAK_PASSPHRASE',
      message: expect.stringMatching(/commonly used password/),
    });
    expect((await a.sync.status()).configured).toBe(false);
    expect(sim.store.db.prepare('SELECT count(*) FROM vaults').pluck().get()).toBe(0);
    await a.sync.init(SIM_RELAY, SIM_PASSPHRASE, { kdfCost: SIM_KDF });
    await expect(a.sync.changePassphrase(SIM_PASSPHRASE, 'qwertyuiop')).rejects.toMatchObject({
      code: 'SYNC_WEAK_PASSPHRASE',
    });
  });

  it('a vault wrapped with scrypt keeps working; a passphrase change upgrades it to Argon2id', async () => {
    sim = await createSim({ seed: 7, devices: 3 });
    const [a, b, c] = sim.devices as [SimDevice, SimDevice, SimDevice];
    await a.sync.init(SIM_RELAY, SIM_PASSPHRASE, { kdfCost: { name: 'scrypt', N: 1 << 15, r: 8, p: 1 } });
    const vaultId = (await a.sync.status()).vaultId as string;
    const kdf = (): { name: string; m?: number } =>
      (JSON.parse(sim.store.db.prepare('SELECT params FROM vaults').pluck().get() as string) as { kdf: never }).kdf;
    expect(kdf().name).toBe('scrypt');
    await b.sync.join(SIM_RELAY, vaultId, SIM_PASSPHRASE);
    await a.sync.changePassphrase(SIM_PASSPHRASE, 'orbit kettle zebra lantern');
    expect(kdf()).toMatchObject({ name: 'argon2id', m: 65536, t: 3 });
    await c.sync.join(SIM_RELAY, vaultId, 'orbit kettle zebra lantern');
    expect((await c.sync.status()).configured).toBe(true);
  });

  it('revocation rotates to a new epoch the revoked device cannot open; new joiners use the new passphrase', async () => {
    sim = await createSim({ seed: 4, devices: 4 });
    const [a, b, c, d] = sim.devices as [SimDevice, SimDevice, SimDevice, SimDevice];
    sim.devices.pop();
    await sim.setupVault();
    await sim.quiesce(1);
    await a.sync.revoke(c.deviceId, { newPassphrase: 'orbit lantern kettle zebra' });
    a.addMemory('after rotation');
    await a.sync.sync();
    await b.sync.sync();
    expect(b.db.prepare('SELECT text FROM memories').pluck().all()).toContain('after rotation');
    expect(loadVault(b.paths).epoch).toBe(1);
    const vc = loadVault(c.paths);
    expect(vc.dataKeys.has(1)).toBe(false);
    const sealed = sim.store.db.prepare('SELECT envelope FROM log ORDER BY seq DESC LIMIT 1').pluck().get() as Buffer;
    expect(sealed.includes(Buffer.from('after rotation'))).toBe(false);
    // A new device joining with the new passphrase reads everything once approved, old epochs included.
    await expect(d.sync.join(SIM_RELAY, vc.vaultId, SIM_PASSPHRASE)).rejects.toMatchObject({
      code: 'SYNC_WRONG_PASSPHRASE',
    });
    await d.sync.join(SIM_RELAY, vc.vaultId, 'orbit lantern kettle zebra');
    await a.sync.approve(d.deviceId);
    await d.sync.pull();
    expect(d.db.prepare('SELECT text FROM memories').pluck().all()).toContain('after rotation');
    expect((await d.sync.status()).alarms).toEqual([]);
    d.close();
  });

  it('pairing admits a device with matching short strings; a swapped key in the mailbox is caught', async () => {
    sim = await createSim({ seed: 5, devices: 3 });
    const [a, b, c] = sim.devices as [SimDevice, SimDevice, SimDevice];
    await a.sync.init(SIM_RELAY, SIM_PASSPHRASE, { kdfCost: SIM_KDF });
    a.addMemory('paired devices see this');
    await a.sync.sync();
    const start = await b.sync.pairStart(SIM_RELAY, { name: 'phone' });
    let shownOnAdmin = '';
    const accepted = a.sync.pairAccept(start.code, async (sas) => {
      shownOnAdmin = sas;
      return true;
    });
    const [joined] = await Promise.all([start.wait(), accepted]);
    expect(joined.sas).toBe(shownOnAdmin);
    await b.sync.sync();
    expect(b.db.prepare('SELECT text FROM memories').pluck().all()).toContain('paired devices see this');

    // MITM: the relay replaces the new device's keys in the mailbox with an attacker's.
    const start2 = await c.sync.pairStart(SIM_RELAY, { name: 'laptop' });
    sim.net.tamper = (req, res) => {
      if (!req.url.includes('/v1/sync/pair/') || req.method !== 'GET') return res;
      const body = JSON.parse(res.body) as { items: { n: number; payload: string }[] };
      for (const it of body.items) {
        const p = JSON.parse(it.payload) as { signPk?: string };
        if (p.signPk) it.payload = JSON.stringify({ ...p, signPk: Buffer.alloc(32, 7).toString('base64') });
      }
      return { ...res, body: JSON.stringify(body) };
    };
    let asked = false;
    await expect(a.sync.pairAccept(start2.code, async () => (asked = true))).rejects.toMatchObject({
      code: 'SYNC_PAIRING',
    });
    expect(asked).toBe(false);
    expect((await a.sync.devices()).status.devices.map((d) => d.id)).not.toContain(c.deviceId);
  });
});
