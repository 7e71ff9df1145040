/** Timing helpers of the scale suite, and the index rebuild it times (docs/performance.md "Growth"). */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { LocalEngine } from '../../core/engine/local-engine.js';
import { readIndexMeta, writeIndexMeta } from '../../core/memory/ann-index.js';
import { createBuiltinEmbedder, createEmbeddedStore } from '../../core/memory/index.js';

export const ms = (t0: bigint): number => Number(process.hrtime.bigint() - t0) / 1e6;

/** Wall and CPU time (user + system, every thread of this process) of `fn`: on a shared machine CPU time is the steadier. */
export async function timed(fn: () => Promise<unknown>): Promise<{ wallMs: number; cpuMs: number }> {
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  await fn();
  const c = process.cpuUsage(c0);
  return { wallMs: ms(t0), cpuMs: (c.user + c.system) / 1000 };
}

/**
 * The index built again from the database alone (as `memory reindex` or a lost index file would), into a file of its
 * own. Saving it describes that file in the home's meta: the home's own index's description is put back after, or
 * every later process would find its file foreign and rebuild (as the first 100k measure did: 7.4 s per search).
 */
export async function rebuildIndex(
  engine: Pick<LocalEngine, 'db' | 'paths'>,
  dir: string,
): Promise<{ wallMs: number; cpuMs: number }> {
  const memoryIndex = join(dir, 'rebuilt.usearch');
  const homeIndex = readIndexMeta(engine.db);
  const store = createEmbeddedStore({
    db: engine.db,
    paths: { ...engine.paths, memoryIndex },
    embedder: createBuiltinEmbedder(),
  });
  const took = await timed(() => store.flush());
  await store.close();
  rmSync(memoryIndex, { force: true });
  if (homeIndex) writeIndexMeta(engine.db, homeIndex);
  return took;
}
