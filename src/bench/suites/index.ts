/**
 * The one registry of `bench core` suites. Each is imported lazily, so a suite whose module is missing or broken is
 * reported as unavailable (with the reason) instead of taking the whole bench down.
 */
import type { BenchSuite } from '../suite.js';

type Loader = () => Promise<Record<string, unknown>>;

export const SUITES: Record<string, Loader> = {
  memory: () => import('./memory.js'),
  state: () => import('./state.js'),
  sync: () => import('./sync.js'),
  chat: () => import('./chat.js'),
  mcp: () => import('./mcp.js'),
  scale: () => import('./scale.js'),
  embedder: () => import('./embedder.js'),
};

export const SUITE_NAMES = Object.keys(SUITES);
/** What `bench core` runs without --suite: `scale` builds a home per size and spawns processes, so it is asked for. */
export const DEFAULT_SUITES = SUITE_NAMES.filter((s) => s !== 'scale');

export async function loadSuite(name: string): Promise<BenchSuite> {
  const loader = SUITES[name];
  if (!loader) throw new Error(`unknown suite "${name}" (known: ${SUITE_NAMES.join(', ')})`);
  const mod = await loader().catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ERR_MODULE_NOT_FOUND' && err.message.includes(`/suites/${name}.js`)) {
      throw new Error(`the ${name} suite is not part of this build (src/bench/suites/${name}.ts)`);
    }
    throw err;
  });
  const isSuite = (x: unknown): x is BenchSuite => typeof (x as BenchSuite | undefined)?.setup === 'function';
  // The default export, a `suite` export, or the one export shaped like a suite.
  const suite = [mod.default, mod.suite, ...Object.values(mod)].find(isSuite);
  if (!suite) throw new Error(`suite module "${name}" exports no suite`);
  return suite;
}
