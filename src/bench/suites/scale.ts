/**
 * Growth (docs/performance.md "Growth"): one home of N memories (`--memories`; a list such as 10k,100k,1m gives growth
 * curves) built the way a user builds one, a JSONL import with the hash embedder, then recall and a whole chat turn
 * over it, and what the home costs at that size: ingest rate, rebuilding the index from scratch, the files on disk,
 * answering `progeny memory search` from a new process, the RSS of `progeny serve` after 1,000 searches, and (with N
 * messages added) pushing the whole home to a sync relay and a new device's initial sync of it.
 * The figures measured once per run are reported in the recall case's `extra` (after its timed calls).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig, writeConfigFile } from '../../core/config/load.js';
import { createReplayProvider, llmFixturePath, loadRecordedStream } from '../../core/llm/index.js';
import { createBuiltinEmbedder, createEmbeddedStore } from '../../core/memory/index.js';
import { pathsFor } from '../../core/paths.js';
import { sentenceMaker, sizeLabel } from '../chat-corpus.js';
import { spawnServe } from '../http/targets.js';
import type { BenchSuite } from '../suite.js';
import { wholeTurn } from './chat.js';
import { annRecallAt10 } from './memory-quality.js';
import { seededHome } from './scale-home.js';
import { ms } from './scale-index.js';
import { initialSyncFigures } from './scale-sync.js';

export { rebuildIndex } from './scale-index.js';

const DEFAULT_MEMORIES = 100_000;
const BIN = fileURLToPath(new URL('../../../bin/progeny.js', import.meta.url));
const round = (x: number, places = 1): number => Math.round(x * 10 ** places) / 10 ** places;
const mb = (file: string): number => {
  try {
    return statSync(file).size / 1048576;
  } catch {
    return 0;
  }
};
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

/**
 * Wall time of `progeny memory search` on the home from a new process (start-up, open, one search) and of `node -e 0`
 * in the same moment, median of 5 each, alternated so both see the same load.
 */
function searchFromNewProcess(home: string, query: string): { searchFromNewProcessMs: number; nodeStartMs: number } {
  const env = { ...process.env, PROGENY_LLM_PROVIDER: 'offline' };
  const wall = (args: string[]): number => {
    const t0 = process.hrtime.bigint();
    execFileSync(process.execPath, args, { env, stdio: 'ignore' });
    return ms(t0);
  };
  const search: number[] = [];
  const node: number[] = [];
  for (let i = 0; i < 5; i++) {
    search.push(wall([BIN, '--home', home, '--json', 'memory', 'search', '-k', '5', '--', query]));
    node.push(wall(['-e', '0']));
  }
  return { searchFromNewProcessMs: round(median(search)), nodeStartMs: round(median(node)) };
}

/** `progeny serve` on the home: time to listen, and its RSS after 1,000 searches over HTTP. */
async function serveFigures(home: string, queries: string[]): Promise<{ serveReadyMs: number; serveRssMb: number }> {
  const t0 = process.hrtime.bigint();
  const server = await spawnServe(home, null, 120_000);
  const serveReadyMs = ms(t0);
  try {
    const headers = server.token ? { authorization: `Bearer ${server.token}` } : undefined;
    for (let i = 0; i < 1000; i++) {
      const q = encodeURIComponent(queries[i % queries.length] as string);
      const res = await fetch(`${server.url}/v1/memories/search?q=${q}&k=5`, { ...(headers ? { headers } : {}) });
      if (!res.ok) throw new Error(`GET /v1/memories/search answered ${res.status}`);
      await res.arrayBuffer();
    }
    return { serveReadyMs, serveRssMb: server.rssMb() ?? NaN };
  } finally {
    await server.stop();
  }
}

export const suite: BenchSuite = {
  name: 'scale',
  async setup(ctx) {
    const home = join(ctx.dir, 'home');
    const paths = pathsFor(home);
    const n = ctx.memories ?? DEFAULT_MEMORIES;
    mkdirSync(home, { recursive: true });
    // The config file, so the processes spawned on this home (search, serve) use the same embedder.
    writeConfigFile(paths.config, { 'embedder.kind': 'hash', 'cache.response.ttlMs': 0 });
    const { config } = loadConfig({ path: paths.config, env: {} });
    const llm = createReplayProvider(await loadRecordedStream(llmFixturePath('greeting')), { tokenDelayMs: 0 });
    const { engine, record } = await seededHome({ home, paths, n, seed: ctx.seed, dir: ctx.dir }, { config, llm });
    const query = sentenceMaker(ctx.seed + 2);
    const queries = Array.from({ length: 500 }, () => query());
    const message = sentenceMaker(ctx.seed + 1);
    const conversationId = engine.conversations.create('creator').id;
    let q = 0;
    const label = sizeLabel(n);
    return {
      cases: [
        {
          name: `scale.recall@${label}`,
          op: () => engine.memory.recall({ text: queries[q++ % queries.length] as string, k: 5, peek: true }),
          async quality() {
            const viewer = createEmbeddedStore({ db: engine.db, paths, embedder: createBuiltinEmbedder() });
            const recallAt10 = await annRecallAt10(engine.db, viewer, createBuiltinEmbedder(), queries.slice(0, 100));
            await viewer.close();
            return {
              memories: n,
              recallAt10: round(recallAt10, 3),
              ingestPerSec: Math.round(n / (record.importWallMs / 1000)),
              ingestPerCpuSec: Math.round(n / (record.importCpuMs / 1000)),
              indexBuildMs: record.rebuildWallMs,
              indexBuildCpuMs: record.rebuildCpuMs,
              dbMb: round(mb(paths.db) + mb(`${paths.db}-wal`)),
              indexMb: round(mb(paths.memoryIndex)),
              messages: n,
              messagesPerSec: Math.round(n / (record.messagesWallMs / 1000)),
              // The figures above were measured when the home was seeded: at this time, in an earlier run if cached.
              ...(record.fromCache ? { seedMadeAt: record.madeAt } : {}),
              ...searchFromNewProcess(home, queries[0] as string),
              ...(await serveFigures(home, queries)),
              ...(await initialSyncFigures(engine, ctx.dir)),
            };
          },
        },
        {
          name: `scale.turn@${label}`,
          op: () => wholeTurn(engine, message(), conversationId),
        },
      ],
      close: () => engine.close(),
    };
  },
};
