/**
 * The deterministic sync simulator (docs/sync.md, "Failure tests"): N devices and an in-process relay on a shared fake
 * clock, a seeded network with injectable faults, and helpers to set a vault up and to sync everyone to quiescence.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixedClock } from '../../core/clock.js';
import { loadTemplate } from '../../core/heritage/templates.js';
import { KDF_FLOOR, type KdfCost } from '../../core/sync/kdf.js';
import { createRelayPlugin } from '../../server/relay/plugin.js';
import { openRelayStore, type RelayStore } from '../../server/relay/store.js';
import { createSimDevice, type SimDevice } from './device.js';
import { createSimNetwork, type Faults, type SimNetwork } from './network.js';
import { seeded } from './random.js';

export const SIM_PASSPHRASE = 'correct horse battery staple';
export const SIM_RELAY = 'http://relay.sim';
/** The cheapest KDF cost a client accepts, to keep simulated runs quick. */
export const SIM_KDF: KdfCost = { name: 'argon2id', ...KDF_FLOOR.argon2id };

export interface Sim {
  clock: ReturnType<typeof fixedClock>;
  random: () => number;
  app: FastifyInstance;
  store: RelayStore;
  relayDir: string;
  net: SimNetwork;
  devices: SimDevice[];
  /**
   * Restarts the relay process on the same database (a crash between requests); `whileDown` runs with the database
   * closed (e.g. to restore it from a backup).
   */
  restartRelay(whileDown?: () => void): Promise<void>;
  addDevice(name: string, skewMs?: number): SimDevice;
  /** Device 0 creates the vault (with a heritage); the others join and are approved. */
  setupVault(): Promise<void>;
  /** Everyone syncs until nothing moves (faults off). */
  quiesce(rounds?: number): Promise<void>;
  close(): Promise<void>;
}

export async function createSim(opts: { seed: number; devices: number; faults?: Faults }): Promise<Sim> {
  const random = seeded(opts.seed);
  const clock = fixedClock(1_760_000_000_000);
  const relayDir = mkdtempSync(join(tmpdir(), 'progeny-sim-relay-'));
  const build = async (): Promise<{ app: FastifyInstance; store: RelayStore }> => {
    const store = openRelayStore(join(relayDir, 'relay.db'));
    const app = Fastify();
    await app.register(createRelayPlugin({ store, now: () => clock.now() }));
    await app.ready();
    return { app, store };
  };
  let relay = await build();
  const net = createSimNetwork(relay.app, random, opts.faults ?? {});
  const sleep = async (ms: number): Promise<void> => {
    clock.advance(Math.ceil(ms));
  };
  const sim: Sim = {
    clock,
    random,
    relayDir,
    net,
    devices: [],
    get app() {
      return relay.app;
    },
    get store() {
      return relay.store;
    },
    async restartRelay(whileDown) {
      await relay.app.close();
      relay.store.close();
      whileDown?.();
      relay = await build();
      const fresh = createSimNetwork(relay.app, random, net.faults);
      net.transportFor = fresh.transportFor;
    },
    addDevice(name, skewMs = 0) {
      const devClock = { now: () => clock.now() + skewMs };
      const d = createSimDevice(name, devClock, (req) => net.transportFor(name)(req), { sleep, random });
      sim.devices.push(d);
      return d;
    },
    async setupVault() {
      const [first, ...rest] = sim.devices;
      if (!first) throw new Error('no devices');
      first.heritage.update(loadTemplate('companion'), 'init');
      await first.sync.init(SIM_RELAY, SIM_PASSPHRASE, { name: first.name, kdfCost: SIM_KDF });
      for (const d of rest) {
        await d.sync.join(SIM_RELAY, (await first.sync.status()).vaultId as string, SIM_PASSPHRASE, { name: d.name });
        await first.sync.approve(d.deviceId);
      }
    },
    async quiesce(rounds = 3) {
      const saved = { ...net.faults };
      for (const k of Object.keys(net.faults)) delete (net.faults as Record<string, unknown>)[k];
      for (let r = 0; r < rounds; r++) for (const d of sim.devices) await d.sync.sync({ budgetMs: 600_000 });
      Object.assign(net.faults, saved);
    },
    async close() {
      for (const d of sim.devices) d.close();
      await relay.app.close();
      relay.store.close();
      rmSync(relayDir, { recursive: true, force: true });
    },
  };
  for (let i = 0; i < opts.devices; i++) sim.addDevice(`dev${i}`);
  return sim;
}
