/**
 * The interactive chat: the Ink TUI. Its code (ink, react, src/tui) is one pre-built bundle, dist/tui/chat-screen.js
 * (scripts/bundle-tui.mjs), loaded only here, so other commands never pay for it and the chat starts fast. Running
 * from source (tsx), where no bundle exists, loads src/tui directly.
 */
import type { Engine } from '../core/engine/engine.js';
import type { CommandContext } from './context.js';
import type { ChatSession } from './chat-turn.js';
import type * as ChatScreen from '../tui/start-chat.js';

let screen: Promise<typeof ChatScreen> | undefined;

/** Starts loading the chat screen's code; chat.ts calls it before opening the engine so both happen at once. */
export function preloadChatScreen(): Promise<typeof ChatScreen> {
  screen ??= (async () => {
    const bundle = new URL('../tui/chat-screen.js', import.meta.url);
    try {
      return (await import(bundle.href)) as typeof ChatScreen;
    } catch (err) {
      const missing = (err as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND' && String((err as Error).message).includes('chat-screen.js');
      if (!missing) throw err;
      return import('../tui/start-chat.js');
    }
  })();
  return screen;
}

export async function startChatApp(ctx: CommandContext, engine: Engine, session: ChatSession): Promise<void> {
  const { startChatScreen } = await preloadChatScreen();
  await startChatScreen({
    engine,
    ...(session.conversationId ? { conversationId: session.conversationId } : {}),
    ...(session.probed ? { mode: session.mode } : {}),
    // The sync layer plugs in here once it exists (SyncPort, src/tui/sync-port.ts); until then /sync explains.
    sync: null,
    color: ctx.globals.color,
    env: ctx.env,
    stdin: ctx.stdin,
    stdout: ctx.out.stdout,
    signal: ctx.signal,
  });
}
