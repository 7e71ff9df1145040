/** The relay for `progeny serve`: its own relay.db beside the home database. */
import { join, dirname } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Engine } from '../../core/engine/engine.js';
import type { RelayLimits } from './context.js';
import { createRelayPlugin, type RelayOptions } from './plugin.js';
import { openRelayStore, type RelayStore } from './store.js';

export { createRelayPlugin, openRelayStore, type RelayOptions, type RelayStore };

export const relayDbPath = (homeDb: string): string => join(dirname(homeDb), 'relay.db');

/** The relay plugin for `progeny serve`, with a close() for shutdown. */
export function relayForEngine(engine: Pick<Engine, 'paths' | 'config'>): {
  plugin: (app: FastifyInstance) => Promise<void>;
  close(): void;
} {
  const store = openRelayStore(relayDbPath(engine.paths.db));
  return { plugin: createRelayPlugin({ store, limits: relayLimits(engine.config) }), close: () => store.close() };
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
