/**
 * The interactive chat: the Ink TUI. Its code (ink, react, src/tui) is one pre-built bundle, dist/tui/chat-screen.js
 * (scripts/bundle-tui.mjs), loaded only here, so other commands never pay for it. The screen's first frame is drawn
 * before the engine opens; the engine then opens (creating a companion on a fresh home) without probing the model,
 * which the screen does in the background. Running from source (tsx), where no bundle exists, loads src/tui.
 */
import type { CommandContext } from './context.js';
import type * as ChatScreen from '../tui/start-chat.js';

async function loadChatScreen(): Promise<typeof ChatScreen> {
  const bundle = new URL('../tui/chat-screen.js', import.meta.url);
  try {
    return (await import(bundle.href)) as typeof ChatScreen;
  } catch (err) {
    const missing =
      (err as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND' &&
      String((err as Error).message).includes('chat-screen.js');
    if (!missing) throw err;
    return import('../tui/start-chat.js');
  }
}

export async function startChatApp(ctx: CommandContext, opts: Record<string, unknown>): Promise<void> {
  const { startChatScreen } = await loadChatScreen();
  await startChatScreen({
    async open() {
      // Loaded now, not at the top: chat-turn and the engine pull in the whole core, which the first frame skips.
      const [engine, { prepareChat }, { createEngineSync }, { syncPortFrom }] = await Promise.all([
        ctx.engine({ create: true }),
        import('./chat-turn.js'),
        import('../core/sync/index.js'),
        import('../tui/sync-port.js'),
      ]);
      const notices: string[] = [];
      if (!engine.heritage.exists()) {
        // As ctx.engine({ autoInit }) would, but said inside the screen: a line on stderr would tear Ink's frame.
        const { initializeHome } = await import('../core/engine/init.js');
        const r = initializeHome(engine);
        notices.push(
          `created a new companion "${r.name}" in ${r.home} (template ${r.template}; shape it with \`progeny init --interview --force\` or \`progeny heritage edit\`)`,
        );
      }
      const session = await prepareChat(ctx, engine, opts, { probe: false });
      engine.embedInBackground();
      return {
        engine,
        notices,
        ...(session.conversationId ? { conversationId: session.conversationId } : {}),
        sync: syncPortFrom(createEngineSync(engine)),
      };
    },
    color: ctx.globals.color,
    env: ctx.env,
    stdin: ctx.stdin,
    stdout: ctx.out.stdout,
    signal: ctx.signal,
  });
}
