/**
 * `progeny doctor`'s check of the saved memory index (docs/performance.md, "Memories no search reaches"): whether
 * every memory in it can be found by its vector. An index built on every core before progeny added on one thread may
 * hold nodes no search reaches; their memories are then found by their words only, and nothing else says so.
 */
import type { Check } from './doctor.js';
import type { LocalEngine } from '../core/engine/local-engine.js';
import type { Paths } from '../core/paths.js';

/** How many stranded memories the detail names (all are counted). */
const NAMED = 3;

/** The check; throws INDEX_CORRUPT when the walk finds the graph damaged (doctor reports it as a failure). */
export async function indexReachabilityCheck(paths: Paths, engine: LocalEngine): Promise<Check> {
  const { savedIndexReachability } = await import('../core/memory/index-reachability.js');
  const check = 'memory index';
  const t0 = performance.now();
  const got = savedIndexReachability(engine.db, paths.memoryIndex, engine.embedder().id);
  const ms = performance.now() - t0;
  if (!got)
    return {
      check,
      status: 'ok',
      detail: `not checked: no saved index of ${engine.embedder().id} yet (searches scan the memories exactly until one is saved)`,
    };
  if ('reason' in got)
    return { check, status: 'warn', detail: `not checked: progeny's index reader cannot open it (${got.reason})` };
  if (got.memories === 0)
    return {
      check,
      status: 'ok',
      detail: `every memory reachable (${got.members} in the saved graph, walked in ${ms.toFixed(0)} ms)`,
    };
  const named = got.ids.slice(0, NAMED).join(', ') + (got.memories > NAMED ? ', …' : '');
  // Listed when the index was saved, they are scanned exactly by every search: found by their vectors all the same.
  if (got.searched === got.memories)
    return {
      check,
      status: 'ok',
      detail:
        `every memory found by its vector: ${got.memories} of ${got.members} that the graph cannot reach (${named}) ` +
        `are searched exactly (walked in ${ms.toFixed(0)} ms)`,
    };
  const lost = got.memories - got.searched;
  const listed = lost < NAMED ? got.ids.slice(0, lost) : [...got.ids.slice(0, NAMED), '…'];
  return {
    check,
    status: 'warn',
    detail:
      `${lost} of ${got.members} memories in the saved graph cannot be found by their vectors, only by their ` +
      `words (${listed.join(', ')})` +
      (got.searched ? `; ${got.searched} more that it cannot reach are searched exactly` : ''),
    fix: '`progeny memory reindex` tries to add them again',
  };
}
