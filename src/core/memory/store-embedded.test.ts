import { tempDb } from '../../testing/temp-home.js';
import { createBuiltinEmbedder } from './embedder-builtin.js';
import { createEmbeddedStore } from './store-embedded.js';
import { runMemoryStoreContract } from './store-contract.js';

runMemoryStoreContract('embedded', async () => {
  const t = tempDb();
  const embedder = createBuiltinEmbedder();
  const store = createEmbeddedStore({ db: t.db, paths: t.paths, embedder });
  return { store, db: t.db, embedderId: embedder.id, cleanup: async () => t.cleanup() };
});
