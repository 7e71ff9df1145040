/**
 * The scale suite's sync figures (docs/performance.md "Growth"): the home of N memories and N messages becomes a sync
 * vault on a relay listening on loopback (in this process, as in the sync suite), pushes its whole journal, and a new
 * device joins and pulls it all from the log. Measured once per run; a failure is reported, not thrown, so that the
 * figures of a large size that sync cannot handle still come out.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import Fastify from 'fastify';
import { systemClock } from '../../core/clock.js';
import { ensureDeviceId } from '../../core/engine/identity.js';
import type { Paths } from '../../core/paths.js';
import type { Db } from '../../core/store/db.js';
import { createEngineSync } from '../../core/sync/index.js';
import { fetchTransport } from '../../core/sync/transport.js';
import { createRelayPlugin } from '../../server/relay/plugin.js';
import { openRelayStore } from '../../server/relay/store.js';
import { device, KDF, PASS } from './sync.js';

export interface SyncFigures extends Record<string, number | string> {
  syncPushMs: number;
  initialSyncMs: number;
  initialSyncChanges: number;
}

const ms = (t0: bigint): number => Math.round(Number(process.hrtime.bigint() - t0) / 1e6);

/** Pushes the home's journal to a new vault, then times a new device's initial sync of it (changes applied). */
export async function initialSyncFigures(
  home: { db: Db; paths: Paths },
  dir: string,
): Promise<SyncFigures | { syncError: string }> {
  const store = openRelayStore(join(dir, 'relay.db'));
  const app = Fastify({ bodyLimit: 64 * 1024 * 1024 });
  try {
    await app.register(createRelayPlugin({ store, limits: { rate: false } }));
    const relay = await app.listen({ host: '127.0.0.1', port: 0 });
    const deviceId = ensureDeviceId(home.db);
    const source = createEngineSync({ db: home.db, clock: systemClock, paths: home.paths, deviceId }, {});
    await source.init(relay, PASS, { kdfCost: KDF });
    let t0 = process.hrtime.bigint();
    await source.push({ budgetMs: 4 * 3600_000 });
    const syncPushMs = ms(t0);
    const vaultId = (await source.status()).vaultId as string;
    const fresh = device(join(dir, 'fresh-device'), fetchTransport);
    try {
      await fresh.sync.join(relay, vaultId, PASS);
      await source.approve(fresh.deviceId);
      t0 = process.hrtime.bigint();
      const pulled = await fresh.sync.pull({ pageSize: 500, budgetMs: 4 * 3600_000 });
      return { syncPushMs, initialSyncMs: ms(t0), initialSyncChanges: pulled.changes };
    } finally {
      fresh.db.close();
    }
  } catch (err) {
    return { syncError: (err as Error).message };
  } finally {
    await app.close();
    store.close();
    // 2M changes make a relay of ~80 MB: not left behind for the rest of the run.
    for (const f of ['relay.db', 'relay.db-wal', 'relay.db-shm', 'fresh-device'])
      rmSync(join(dir, f), { recursive: true, force: true });
  }
}
