/**
 * `progeny serve`: the HTTP + WebSocket API on --host (default 127.0.0.1) and --port. Prints its address once it
 * listens (one JSON line with --json). On SIGINT/SIGTERM it stops accepting connections, lets in-flight chat turns
 * finish for up to server.drainMs (then interrupts them, keeping their partial replies), closes WebSockets, and the
 * engine flushes its batched writes as the command ends. A graceful stop exits 0.
 */
import type { CommandContext } from './context.js';
import type { CommandResult } from './output.js';
import { ProgenyError } from '../core/errors.js';
import type { PartialConfig } from '../core/config/load.js';

export interface ServeOptions {
  port?: number;
  host?: string;
  log?: 'off' | 'info' | 'debug';
}

export async function run(ctx: CommandContext, _args: string[], opts: ServeOptions): Promise<CommandResult> {
  const flags: PartialConfig = {};
  if (opts.port !== undefined) flags['server.port'] = opts.port;
  if (opts.host !== undefined) flags['server.host'] = opts.host;
  if (opts.log !== undefined) flags['server.log'] = opts.log;
  const engine = await ctx.engine({ autoInit: true, flags });
  const [{ createServer }, { reportBackground }, { warnOnEmbedderFallback }] = await Promise.all([
    import('../server/create.js'),
    import('./background-events.js'),
    import('./embedder-warning.js'),
  ]);
  // The operator's line when the model cannot load (clients get the `embedder` notice on the WebSocket API).
  warnOnEmbedderFallback(ctx, engine);
  // The sync relay (docs/sync.md: part of `progeny serve`; relay.db beside the home database, under /v1/sync/, authenticated
  // by request signatures) unless server.relay is off, and, when sync.intervalS > 0, this home's own background sync.
  const relay = engine.config['server.relay']
    ? (await import('../server/relay/index.js')).relayForEngine(engine)
    : undefined;
  const cfg = engine.config;
  const app = await createServer(engine, {
    plugins: relay ? [relay.plugin] : [],
    background: {
      embed: true,
      dream: { everyHours: cfg['memory.dream.everyHours'], summarise: cfg['memory.dream.summarise'] },
      syncIntervalS: cfg['sync.intervalS'],
      onEvent: reportBackground(ctx),
    },
    onClose: () => relay?.close(),
  });
  const stopped = new Promise<string>((resolve) => {
    if (ctx.signal.aborted) resolve('signal');
    ctx.signal.addEventListener('abort', () => resolve('signal'), { once: true });
  });
  try {
    await app.listen({ port: engine.config['server.port'], host: engine.config['server.host'] });
  } catch (err) {
    await app.close();
    throw listenError(err, engine.config['server.host'], engine.config['server.port']);
  }
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : engine.config['server.port'];
  const host = engine.config['server.host'];
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const ready = {
    url,
    host,
    port,
    pid: process.pid,
    home: engine.paths.home,
    tokenFile: engine.paths.serverToken,
    mode: engine.mode(),
  };
  if (ctx.globals.json) ctx.out.event({ listening: ready });
  else ctx.out.write(`progeny: serving on ${url} (mode ${ready.mode}; token in ${ready.tokenFile}; Ctrl+C stops)\n`);

  await stopped;
  if (!ctx.globals.json) ctx.out.notice('stopping: draining in-flight requests and flushing writes');
  const t0 = Date.now();
  await app.close();
  const data = { stopped: true, drainedMs: Date.now() - t0 };
  return { data, view: { kind: 'text', text: `stopped after draining for ${data.drainedMs} ms` }, exitCode: 0 };
}

/** The usual reasons a port cannot be bound, as one line and a hint. */
function listenError(err: unknown, host: string, port: number): unknown {
  const code = (err as NodeJS.ErrnoException).code;
  const where = `${host}:${port}`;
  if (code === 'EADDRINUSE')
    return new ProgenyError('PORT_IN_USE', `${where} is already in use`, {
      hint: 'stop the other server, or pick another port with --port (0 picks a free one)',
    });
  if (code === 'EACCES')
    return new ProgenyError('PORT_DENIED', `not allowed to listen on ${where}`, {
      hint: 'ports below 1024 need privileges; use a higher --port',
    });
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND')
    return new ProgenyError('BAD_HOST', `cannot listen on ${host}: no such local address`, {
      hint: 'use 127.0.0.1, 0.0.0.0 or an address of this machine with --host',
    });
  return err;
}
