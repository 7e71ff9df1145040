/** The interactive chat: the Ink TUI, loaded only here so ink and react never slow other commands. */
import type { Engine } from '../core/engine/engine.js';
import type { CommandContext } from './context.js';
import type { ChatSession } from './chat-turn.js';
import { runPlainChat } from './chat-plain.js';

export async function startChatApp(ctx: CommandContext, engine: Engine, session: ChatSession): Promise<void> {
  // Until the Ink app lands, the interactive path is the line-mode chat.
  return runPlainChat(ctx, engine, session);
}
