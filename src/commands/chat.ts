/**
 * `progeny chat`. On a terminal (stdin and stdout TTYs, not CI, no -m, no --plain) it opens the Ink TUI; otherwise it
 * is headless: one message (-m), or one turn per stdin line, printing the streamed reply, one JSON result (--json)
 * or NDJSON engine events (--stream).
 */
import type { CommandContext } from './context.js';
import { readLines } from './args.js';
import type { CommandResult } from './output.js';
import { usageError } from '../core/errors.js';
import type { Engine } from '../core/engine/engine.js';
import type { LocalEngine } from '../core/engine/local-engine.js';
import type { Stoppable } from '../core/sync/background.js';
import type { TurnSummary } from './chat-turn.js';
import { warnOnEmbedderFallback } from './embedder-warning.js';

export function isInteractive(ctx: CommandContext): boolean {
  return ctx.stdin.isTTY === true && ctx.out.stdout.isTTY === true && !ctx.env.CI;
}

function conversationsView(engine: Engine): CommandResult {
  const list = engine.conversations.list({ limit: 30 });
  return {
    data: list,
    view: {
      kind: 'table',
      columns: [
        { key: 'id', label: 'ID' },
        {
          key: 'updatedAt',
          label: 'UPDATED',
          format: (v) => new Date(v as number).toISOString().slice(0, 16).replace('T', ' '),
        },
        { key: 'title', label: 'FIRST MESSAGE', flex: true },
      ],
      rows: list as unknown as Record<string, unknown>[],
      empty: 'No conversations yet.',
    },
  };
}

export async function run(
  ctx: CommandContext,
  _args: string[],
  opts: Record<string, unknown>,
): Promise<CommandResult | void> {
  if (opts.stream && !(typeof opts.message === 'string' || opts.continueReply || !ctx.stdin.isTTY))
    throw usageError('--stream needs -m or piped input');
  // The TUI draws its first frame before the engine opens, and probes the model in the background (--require-model
  // needs the probe's answer before starting, so it takes the usual path first).
  if (
    typeof opts.message !== 'string' &&
    isInteractive(ctx) &&
    !opts.plain &&
    !ctx.globals.json &&
    !opts.list &&
    !opts.continueReply &&
    !opts.requireModel
  ) {
    const { startChatApp } = await import('./chat-interactive.js');
    return startChatApp(ctx, opts);
  }
  // chat-turn reaches the core's composition root: loaded here, after the TUI branch, so the TUI's first frame
  // does not wait for it.
  const [engine, { prepareChat, runHeadlessTurn }] = await Promise.all([
    ctx.engine({ autoInit: true }),
    import('./chat-turn.js'),
  ]);
  if (opts.list) return conversationsView(engine);
  warnOnEmbedderFallback(ctx, engine);
  const session = await prepareChat(ctx, engine, opts);

  if (typeof opts.message !== 'string' && isInteractive(ctx)) {
    // The line-mode chat syncs in the background every sync.intervalS seconds (0 = off).
    const background = await startSyncInBackground(ctx, engine);
    try {
      const { runPlainChat } = await import('./chat-plain.js');
      return await runPlainChat(ctx, engine, session);
    } finally {
      await background?.stop();
    }
  }

  if (opts.continueReply) {
    if (typeof opts.message === 'string') throw usageError('--continue-reply sends no message: drop -m');
    const turn = await runHeadlessTurn(ctx, engine, session, '', { stream: opts.stream === true, continueReply: true });
    return opts.stream || !ctx.globals.json ? undefined : { data: turn, view: { kind: 'none' } };
  }
  const messages: AsyncIterable<string> | string[] =
    typeof opts.message === 'string' ? [opts.message] : readLines('-', ctx.stdin);
  const turns: TurnSummary[] = [];
  for await (const raw of messages) {
    if (!raw.trim()) continue;
    if (ctx.signal.aborted) break;
    turns.push(await runHeadlessTurn(ctx, engine, session, raw, { stream: opts.stream === true }));
  }
  if (!turns.length) throw usageError('no message given', 'pass -m "text", or pipe lines on stdin');
  if (opts.stream) return;
  if (ctx.globals.json) {
    const data = typeof opts.message === 'string' ? turns[0] : { conversationId: session.conversationId, turns };
    return { data, view: { kind: 'none' } };
  }
}

/** The line-mode chat's background sync, when sync.intervalS > 0 (its modules are loaded only then). */
async function startSyncInBackground(ctx: CommandContext, engine: LocalEngine): Promise<Stoppable | undefined> {
  const seconds = engine.config['sync.intervalS'];
  if (!(seconds > 0)) return undefined;
  const [{ startBackgroundSync }, { reportBackground }] = await Promise.all([
    import('../core/sync/background.js'),
    import('./background-events.js'),
  ]);
  return startBackgroundSync(engine, seconds, reportBackground(ctx));
}
