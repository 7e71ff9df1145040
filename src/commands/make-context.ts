/** Builds the CommandContext: resolves the home, and opens the engine lazily (once) with the merged config. */
import type { Runtime } from '../cli.js';
import type { PartialConfig } from '../core/config/load.js';
import type { Engine } from '../core/engine/engine.js';
import { pathsFor, resolveHome } from '../core/paths.js';
import type { CommandContext, GlobalOptions } from './context.js';

export function makeContext(rt: Runtime, opts: GlobalOptions, signal: AbortSignal): CommandContext {
  const paths = pathsFor(resolveHome(opts.home));
  let engine: Promise<Engine> | undefined;
  const ctx: CommandContext = {
    globals: {
      json: opts.json === true,
      debug: opts.debug === true,
      color: opts.color !== false,
      ...(opts.home ? { home: opts.home } : {}),
    },
    out: rt.out,
    paths,
    env: process.env,
    stdin: process.stdin,
    signal,
    engine(o: { autoInit?: boolean; flags?: PartialConfig } = {}) {
      engine ??= (async () => {
        const [{ loadConfig }, { createEngine }] = await Promise.all([
          import('../core/config/load.js'),
          import('../core/engine/create.js'),
        ]);
        const { config } = loadConfig({ path: paths.config, ...(o.flags ? { flags: o.flags } : {}) });
        const e = await createEngine({ paths, config });
        rt.cleanup.push(() => e.close());
        if (o.autoInit && !e.heritage.exists()) {
          const { initializeHome } = await import('../core/engine/init.js');
          const r = initializeHome(e);
          rt.out.notice(
            `created a new companion "${r.name}" in ${r.home} (template ${r.template}; shape it with \`progeny init --interview --force\` or \`progeny heritage edit\`)`,
          );
        }
        return e;
      })();
      return engine;
    },
  };
  return ctx;
}
