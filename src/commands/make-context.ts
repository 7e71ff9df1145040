/**
 * Builds the CommandContext: resolves the home, and opens the engine lazily (once) with the merged config. Only
 * commands that write (and `init`, `chat`, `serve`) create a missing home; a read on one is a usage error, so a
 * mistyped --home is said, not answered with empty results from a fresh, empty home left behind.
 */
import { existsSync } from 'node:fs';
import { usageError } from '../core/errors.js';
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
    // A getter: creating process.stdin loads node's net and stream modules (several ms), which most commands skip.
    get stdin() {
      return process.stdin;
    },
    signal,
    engine(o: { autoInit?: boolean; create?: boolean | 'quietly'; flags?: PartialConfig } = {}) {
      engine ??= (async () => {
        const [{ loadConfig }, { createEngine }] = await Promise.all([
          import('../core/config/load.js'),
          import('../core/engine/create.js'),
        ]);
        // The config first: a broken config file is the error to report (exit 3), home or not.
        const { config } = loadConfig({ path: paths.config, ...(o.flags ? { flags: o.flags } : {}) });
        const fresh = !existsSync(paths.db);
        if (fresh && !o.create && !o.autoInit)
          throw missingHome(paths.home, opts.home ? '--home' : process.env.PROGENY_HOME ? '$PROGENY_HOME' : undefined);
        const e = await createEngine({ paths, config });
        rt.cleanup.push(() => e.close());
        if (fresh && !o.autoInit && o.create !== 'quietly')
          rt.out.notice(`created a new progeny home in ${paths.home}`);
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

function missingHome(home: string, chosenBy: string | undefined): Error {
  return usageError(
    `no progeny home at ${home}${chosenBy ? ` (from ${chosenBy})` : ''}`,
    `${chosenBy ? `check ${chosenBy}; ` : ''}\`progeny init\` (or \`progeny chat\`) creates a home, as does any command that writes (e.g. \`progeny memory add\`)`,
  );
}
