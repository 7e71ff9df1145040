/**
 * The relay for `progeny serve`: its own relay.db beside the home database, its metrics in the engine's registry
 * (docs/monitoring.md), and the storage quota `relay.maxBytes`: once relay.db and its WAL reach it, uploads
 * (every relay POST and PUT) are refused with 507 until space is freed, and `progeny_relay_storage_bytes` against
 * `progeny_relay_storage_quota_bytes` lets an alert fire before that.
 */
import { statSync } from 'node:fs';
import { join, dirname } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Engine } from '../../core/engine/engine.js';
import { ProgenyError } from '../../core/errors.js';
import type { RelayLimits } from './context.js';
import { createRelayPlugin, type RelayOptions } from './plugin.js';
import { openRelayStore, type RelayStore } from './store.js';

export { createRelayPlugin, openRelayStore, type RelayOptions, type RelayStore };

export const relayDbPath = (homeDb: string): string => join(dirname(homeDb), 'relay.db');

const sizeOf = (file: string): number => {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
};

/** The relay plugin for `progeny serve`, with a close() for shutdown. */
export function relayForEngine(engine: Pick<Engine, 'paths' | 'metrics' | 'config'>): {
  plugin: (app: FastifyInstance) => Promise<void>;
  close(): void;
} {
  const file = relayDbPath(engine.paths.db);
  const store = openRelayStore(file);
  const quota = engine.config['relay.maxBytes'];
  const storageBytes = (): number => sizeOf(file) + sizeOf(`${file}-wal`);
  const m = engine.metrics;
  m.gauge('progeny_relay_storage_bytes', 'Size of the relay database on disk (relay.db and its WAL)').set(storageBytes);
  m.gauge('progeny_relay_storage_quota_bytes', 'The relay storage quota (relay.maxBytes)').set(quota);
  const batches = store.db.prepare('SELECT count(*) FROM log').pluck();
  m.gauge('progeny_relay_batches', 'Sync batches stored by the relay, all vaults').set(() => batches.get() as number);
  const refuseWhenFull = async (): Promise<void> => {
    const used = storageBytes();
    if (used >= quota)
      throw new ProgenyError('SYNC_RELAY_FULL', `the relay's storage is full (${used} of ${quota} bytes)`);
  };
  const plugin = async (app: FastifyInstance): Promise<void> => {
    // Only the relay's upload routes get the check (before their body is read): no cost on any other request.
    app.addHook('onRoute', (route) => {
      const methods = [route.method].flat();
      if (!route.url.startsWith('/v1/sync/') || !methods.some((x) => x === 'POST' || x === 'PUT')) return;
      route.onRequest = [refuseWhenFull, ...[route.onRequest ?? []].flat()];
    });
    await createRelayPlugin({ store, limits: relayLimits(engine.config) })(app);
  };
  return { plugin, close: () => store.close() };
}

/** The relay's limits from the `relay.*` configuration. */
export function relayLimits(c: Engine['config']): RelayLimits {
  return {
    rate: c['relay.rateLimit'] > 0 ? { perSecond: c['relay.rateLimit'], burst: c['relay.rateBurst'] } : false,
    vaultsPerAddress: c['relay.vaultsPerAddress'],
    vaultBytes: c['relay.vaultBytes'],
    snapshotBytes: c['relay.snapshotLimit'],
    pairRowsPerAddress: c['relay.pairRowsPerAddress'],
    pairRows: c['relay.pairRows'],
  };
}
