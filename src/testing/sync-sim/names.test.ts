/**
 * Device names are metadata the relay must not read (issue 12 item 9): whatever the relay stores — the device log,
 * join requests, pairing messages, vault parameters — holds no device name in clear, while every device of the vault
 * (and the admin deciding on a join) still sees each name.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { SimDevice } from './device.js';
import { createSim, SIM_KDF, SIM_PASSPHRASE, SIM_RELAY, type Sim } from './sim.js';

const NAMES = ['alices-kitchen-laptop', 'bobs-work-phone', 'carols-tablet'] as const;

/** Every text the relay has stored, table by table. */
function relayText(sim: Sim): string {
  const db = sim.store.db;
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[];
  const out: string[] = [];
  for (const t of tables)
    for (const row of db.prepare(`SELECT * FROM "${t}"`).all() as Record<string, unknown>[])
      for (const v of Object.values(row)) out.push(Buffer.isBuffer(v) ? v.toString('latin1') : String(v));
  return out.join('\n');
}

describe('device names', () => {
  let sim: Sim;
  afterEach(async () => sim?.close());

  it('reach the relay sealed — in the device log, a join request and a pairing message — and every device reads them', async () => {
    sim = await createSim({ seed: 41, devices: 3 });
    const [a, b, c] = sim.devices as [SimDevice, SimDevice, SimDevice];
    await a.sync.init(SIM_RELAY, SIM_PASSPHRASE, { name: NAMES[0], kdfCost: SIM_KDF });
    const vaultId = (await a.sync.status()).vaultId as string;

    await b.sync.join(SIM_RELAY, vaultId, SIM_PASSPHRASE, { name: NAMES[1] });
    const { pending } = await a.sync.devices();
    expect(pending.map((p) => p.name)).toEqual([NAMES[1]]); // the admin sees who asks
    for (const n of NAMES) expect(relayText(sim)).not.toContain(n);
    await a.sync.approve(b.deviceId);

    const start = await c.sync.pairStart(SIM_RELAY, { name: NAMES[2] });
    let shown = '';
    const accepted = a.sync.pairAccept(start.code, async (_sas, name) => {
      shown = name;
      for (const n of NAMES) expect(relayText(sim)).not.toContain(n); // the pairing message is stored
      return true;
    });
    await Promise.all([start.wait(), accepted]);
    expect(shown).toBe(NAMES[2]);

    for (const d of [a, b, c, a]) await d.sync.sync();
    for (const n of NAMES) expect(relayText(sim)).not.toContain(n);
    for (const d of [a, b, c]) {
      const names = (await d.sync.status()).devices.map((x) => x.name).sort();
      expect(names).toEqual([...NAMES].sort());
    }
  });
});
