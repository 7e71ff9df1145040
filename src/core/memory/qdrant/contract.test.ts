/**
 * The MemoryStore contract (store-contract.ts, also run for the embedded store) for the Qdrant store, twice:
 *  - against the Qdrant TEST DOUBLE (src/testing/qdrant-double.ts), always;
 *  - against a real Qdrant server when QDRANT_URL is set (e.g. QDRANT_URL=http://127.0.0.1:6333, plus
 *    QDRANT_API_KEY if it needs one); without it that run is reported as skipped, not passed.
 * Each store gets a fresh collection, dropped afterwards.
 */
import { afterAll, describe } from 'vitest';
import { tempDb } from '../../../testing/temp-home.js';
import { startQdrantTestDouble } from '../../../testing/qdrant-double.js';
import { CONTRACT_DIMS, runMemoryStoreContract } from '../store-contract.js';
import { QdrantStore } from './store.js';

let n = 0;
function factory(url: string, apiKey?: string) {
  return async () => {
    const t = tempDb();
    const collection = `progeny_contract_${process.pid}_${++n}`;
    const store = new QdrantStore({
      db: t.db,
      embedder: { id: `contract/${CONTRACT_DIMS}`, dimensions: CONTRACT_DIMS },
      url,
      collection,
      batchSize: 64,
      batchMs: 2,
      timeoutMs: 10_000,
      retries: 2,
      ...(apiKey ? { apiKey } : {}),
    });
    return {
      store,
      db: t.db,
      embedderId: `contract/${CONTRACT_DIMS}`,
      cleanup: async () => {
        const { QdrantClient } = await import('@qdrant/js-client-rest');
        await new QdrantClient({
          url,
          checkCompatibility: false,
          ...(apiKey ? { headers: { 'api-key': apiKey } } : {}),
        }).deleteCollection(collection);
        t.cleanup();
      },
    };
  };
}

const double = await startQdrantTestDouble();
afterAll(() => double.close());
runMemoryStoreContract('qdrant (Qdrant REST test double)', factory(double.url));

const real = process.env.QDRANT_URL;
describe.skipIf(!real)(`real Qdrant server at ${real ?? '$QDRANT_URL (not set: skipped)'}`, () => {
  runMemoryStoreContract('qdrant (real server)', factory(real ?? '', process.env.QDRANT_API_KEY));
});
