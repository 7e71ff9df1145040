/**
 * Compaction (issue 12 item 8): a forgotten memory's text must leave the relay. Everything the relay keeps is decrypted
 * here with the vault's keys — every batch and the snapshot — and searched for the text.
 */
import { existsSync, readFileSync } from 'node:fs';
import { inflateRawSync } from 'node:zlib';
import nacl from 'tweetnacl';
import { afterEach, describe, expect, it } from 'vitest';
import { openEnvelope, parseEnvelope } from '../../core/sync/envelope.js';
import { signed } from '../relay-fixture.js';
import { encodeSnapshot, parseSnapshot } from '../../core/sync/snapshot-format.js';
import { loadVault } from '../../core/sync/vault-state.js';
import type { SimDevice } from './device.js';
import { createSim, SIM_PASSPHRASE, SIM_RELAY, type Sim } from './sim.js';

const SECRET = 'the combination to the safe is 31-7-22';

/** Each envelope the relay keeps with its plaintext, decrypted with `d`'s keys. */
function relayBatches(sim: Sim, d: SimDevice): { envelope: Buffer; text: string }[] {
  const vault = loadVault(d.paths);
  const out: { envelope: Buffer; text: string }[] = [];
  const rows = sim.store.db
    .prepare('SELECT device_id, envelope FROM log WHERE vault = ? ORDER BY seq')
    .all(vault.vaultId) as { device_id: string; envelope: Buffer }[];
  for (const r of rows) {
    if (r.envelope.length === 0) continue;
    const dk = vault.dataKeys.get(parseEnvelope(r.envelope).header.keyEpoch) as Uint8Array;
    const author = sim.store.device(vault.vaultId, r.device_id)!;
    out.push({ envelope: r.envelope, text: openEnvelope(r.envelope, author.signPk, dk).body.toString('utf8') });
  }
  return out;
}

/** Every plaintext the relay could deliver to a device of the vault: its batches and its snapshot. */
function relayPlaintext(sim: Sim, d: SimDevice): string {
  const vault = loadVault(d.paths);
  const texts = relayBatches(sim, d).map((b) => b.text);
  const snap = sim.store.getSnapshot(vault.vaultId);
  if (snap) {
    const p = parseSnapshot(snap.data);
    const plain = nacl.secretbox.open(p.box, p.nonce, vault.dataKeys.get(p.header.keyEpoch) as Uint8Array);
    texts.push(inflateRawSync(plain as Uint8Array).toString('utf8'));
  }
  return texts.join('\n');
}

/** `d` stores a snapshot at `seq` signed with `signer`'s key, straight at the relay (what a modified client could do). */
async function putSnapshot(sim: Sim, d: SimDevice, signer: SimDevice, seq: number): Promise<number> {
  const v = loadVault(d.paths);
  const header = { v: 1 as const, vaultId: v.vaultId, deviceId: v.deviceId, seq, keyEpoch: 0, positions: {} };
  const data = encodeSnapshot(header, new Uint8Array(24), Buffer.from('x'), loadVault(signer.paths).keys.signSk);
  const url = `/v1/sync/vaults/${v.vaultId}/snapshot`;
  const body = { seq, data: data.toString('base64') };
  const request = signed('PUT', url, body, { id: v.deviceId, signSk: v.keys.signSk }, sim.clock.now());
  return (await sim.app.inject({ method: 'PUT', url, ...request })).statusCode;
}

describe('compaction', () => {
  let sim: Sim;
  afterEach(async () => sim?.close());

  it('a forgotten memory leaves the relay at the next sync of an admin, and no device is served it afterwards', async () => {
    sim = await createSim({ seed: 31, devices: 3 });
    await sim.setupVault();
    const [a, b, late] = sim.devices as [SimDevice, SimDevice, SimDevice];
    b.addMemory('an ordinary memory');
    const m = b.addMemory(SECRET);
    b.editMemory(m, `${SECRET} (edited)`);
    await b.sync.sync();
    await a.sync.sync();
    await late.sync.sync();
    late.addMemory('written late, pushed but not read back'); // its own batch is compacted before it sees it
    await late.sync.push(); // then offline while the log is compacted
    expect(relayPlaintext(sim, a)).toContain(SECRET);
    const sealed = relayBatches(sim, a).filter((x) => x.text.includes(SECRET));

    b.forgetMemory(m); // on a device that is not an admin
    await b.sync.sync();
    await a.sync.sync(); // the admin's next sync compacts
    expect(relayPlaintext(sim, a)).not.toContain(SECRET);
    expect(relayPlaintext(sim, a)).toContain('an ordinary memory');
    // Not even the ciphertext lingers in relay.db's free pages or its WAL.
    const file = Buffer.concat(
      ['', '-wal']
        .map((x) => sim.store.db.name + x)
        .filter(existsSync)
        .map((f) => readFileSync(f)),
    );
    expect(sealed.length).toBeGreaterThan(0);
    for (const x of sealed) expect(file.includes(x.envelope.subarray(-64))).toBe(false);

    // A device joining now, and one that was offline from before the compaction, converge without the text.
    const fresh = sim.addDevice('fresh');
    await fresh.sync.join(SIM_RELAY, (await a.sync.status()).vaultId as string, SIM_PASSPHRASE);
    await a.sync.approve(fresh.deviceId);
    for (const d of [fresh, late, a, b, fresh, late]) await d.sync.sync();
    for (const d of [fresh, late, b]) {
      expect(d.dump()).toBe(a.dump());
      expect((await d.sync.status()).alarms).toEqual([]);
    }
    expect(fresh.dump()).not.toContain('combination');
    expect(fresh.dump()).toContain('an ordinary memory');
    expect(fresh.dump()).toContain('written late, pushed but not read back');
  });

  it('only an admin compacts: the relay refuses a member’s snapshot and one the admin did not sign, deleting nothing', async () => {
    sim = await createSim({ seed: 32, devices: 2 });
    await sim.setupVault();
    const [a, b] = sim.devices as [SimDevice, SimDevice];
    const m = b.addMemory(SECRET);
    await b.sync.sync();
    await a.sync.sync();
    await expect(b.sync.snapshot()).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const head = (await a.sync.status()).cursor;
    expect(await putSnapshot(sim, b, b, head)).toBe(403);
    expect(await putSnapshot(sim, a, b, head)).toBe(400);
    expect(sim.store.getSnapshot(loadVault(a.paths).vaultId)).toBeUndefined();
    expect(relayPlaintext(sim, a)).toContain(SECRET);
    a.forgetMemory(m);
    await a.sync.snapshot();
    expect(relayPlaintext(sim, a)).not.toContain(SECRET);
  });
});
