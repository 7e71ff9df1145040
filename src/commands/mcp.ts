/**
 * `progeny mcp`: the companion as a Model Context Protocol server on stdin/stdout, the transport desktop clients
 * launch (docs/mcp.md). It runs with the home owner's rights. stdout carries protocol messages only: console output
 * is sent to stderr, and the command prints no result. It ends when the client closes stdin (or on SIGINT/SIGTERM):
 * calls in flight are cancelled, chat turns keep their partial replies, and the engine flushes as the command ends.
 */
import { readFileSync } from 'node:fs';
import type { CommandContext } from './context.js';

const version = (): string =>
  (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export async function run(ctx: CommandContext): Promise<void> {
  // Anything a dependency logs must not corrupt the protocol stream.
  for (const level of ['log', 'info', 'debug'] as const) console[level] = console.error;
  const engine = await ctx.engine({ autoInit: true });
  const [{ createMcpServer }, { StdioLineTransport }, { TurnRegistry }, { warnOnEmbedderFallback }] = await Promise.all(
    [
      import('../mcp/server.js'),
      import('../mcp/stdio.js'),
      import('../server/turns.js'),
      import('./embedder-warning.js'),
    ],
  );
  // The client's log (stderr) hears when the model cannot load and memory_search answers by words.
  warnOnEmbedderFallback(ctx, engine);
  const owner = { kind: 'owner' as const, id: 'owner', name: 'home owner (stdio)', capabilities: ['admin' as const] };
  const turns = new TurnRegistry();
  const server = createMcpServer({
    engine,
    version: version(),
    turns,
    callerOf: () => ({ principal: owner }),
    log: (m) => process.stderr.write(`${m}\n`),
  });
  // A client that went away (EPIPE) ends the connection like a closed stdin, instead of the CLI's quiet exit, so the
  // engine still flushes.
  process.stdout.removeAllListeners('error');
  const transport = new StdioLineTransport(process.stdin, process.stdout);
  const closed = new Promise<void>((resolve) => {
    server.onclose = resolve;
    ctx.signal.addEventListener('abort', () => void server.close(), { once: true });
  });
  await server.connect(transport);
  await closed;
  // Protocol.close aborted the calls in flight; let their turns record the partial replies before the engine closes.
  await turns.drain(0);
}
