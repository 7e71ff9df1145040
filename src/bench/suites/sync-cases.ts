/**
 * The sync suite's parts (sync.ts): a relay on a loopback socket, the sealed 1 KiB envelope of the crypto cases, and
 * the two ways a new device makes its initial sync of a large companion (from the log, from a snapshot), which differ
 * only in how they pull and how they count what arrived.
 */
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Db } from '../../core/store/db.js';
import { newDeviceKeys, randomKey } from '../../core/sync/crypto.js';
import { ENVELOPE_VERSION, openEnvelope, sealEnvelope } from '../../core/sync/envelope.js';
import type { Transport } from '../../core/sync/transport.js';
import { createRelayPlugin } from '../../server/relay/plugin.js';
import { openRelayStore, type RelayStore } from '../../server/relay/store.js';
import type { BenchCase } from '../suite.js';
import { device, PASS, type BenchDevice } from './sync.js';

export interface LoopbackRelay {
  url: string;
  app: FastifyInstance;
  store: RelayStore;
}

/** A relay in this process on 127.0.0.1, without the rate limits a bench would trip over. */
export async function startLoopbackRelay(dir: string): Promise<LoopbackRelay> {
  const store = openRelayStore(join(dir, 'relay.db'));
  const app = Fastify();
  await app.register(createRelayPlugin({ store, limits: { rate: false } }));
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return { url, app, store };
}

/** Sealing and opening a 1 KiB batch of 12 changes, the crypto overhead of one push. */
export function envelopeCases(vaultId: string, deviceId: string): BenchCase[] {
  const keys = newDeviceKeys();
  const dk = randomKey();
  const rows = Array.from({ length: 12 }, (_, i) => [
    'memory',
    `01JABCDEFGHJKMNPQRSTV${i}`,
    'text',
    'x'.repeat(30),
    '0199c82cc0000000-dev',
  ]);
  const body1k = Buffer.from(JSON.stringify(rows));
  const header = {
    v: ENVELOPE_VERSION,
    vaultId,
    deviceId,
    deviceSeq: 1,
    prevHash: '',
    keyEpoch: 0,
    hlcMin: 'a',
    hlcMax: 'b',
  };
  const sealed = sealEnvelope(header, body1k, dk, keys.signSk);
  return [
    { name: 'sync.seal1k', op: () => sealEnvelope(header, body1k, dk, keys.signSk) },
    { name: 'sync.open1k', op: () => openEnvelope(sealed, keys.signPk, dk) },
  ];
}

export interface InitialSyncSource {
  dir: string;
  relay: string;
  transport: Transport;
  /** The device that holds the large companion and approves each new one. */
  big: BenchDevice;
  vaultId: string;
  /** Memories + messages the new device must end up with. */
  records: number;
  /** Every device a case opened, for the suite's close. */
  opened: BenchDevice[];
}

/** One case per way to start: each call joins a fresh device, has it approved, pulls, and checks what arrived. */
export function initialSyncCases(src: InitialSyncSource): BenchCase[] {
  let joins = 0;
  const initialSync = (name: string, snapshot: boolean, arrived: (db: Db, changes: number) => number): BenchCase => ({
    name,
    // The snapshot is made only once the log case has run: the relay compacts the log it covers, so a device that
    // starts from the log after it would find nothing there (docs/sync.md, "Snapshots").
    ...(snapshot ? { prepare: () => makeSnapshot(src.big) } : {}),
    opsPerCall: src.records,
    op: async () => {
      const fresh = device(join(src.dir, `fresh-${joins++}`), src.transport);
      src.opened.push(fresh);
      await fresh.sync.join(src.relay, src.vaultId, PASS);
      await src.big.sync.approve(fresh.deviceId); // a pending device receives nothing
      const r = await fresh.sync.pull({ pageSize: 500, ...(snapshot ? {} : { snapshot: false }) });
      const n = arrived(fresh.db, r.changes);
      fresh.db.close();
      if (n < src.records) throw new Error(`${name}: ${n} of ${src.records} records arrived`);
    },
  });
  return [
    initialSync('sync.initial', false, (_db, changes) => changes),
    initialSync('sync.initialSnapshot', true, (db) => recordCount(db)),
  ];
}

/** A snapshot of the large companion, for the second way a new device starts. */
async function makeSnapshot(big: BenchDevice): Promise<void> {
  await big.sync.pull({ snapshot: false });
  await big.sync.snapshot();
}

function recordCount(db: Db): number {
  return db.prepare('SELECT (SELECT count(*) FROM memories) + (SELECT count(*) FROM messages)').pluck().get() as number;
}
