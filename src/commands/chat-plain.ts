/** `chat --plain`: a line-mode REPL for terminals where a TUI is unwanted. Ctrl+C cancels a reply, twice exits. */
import { createInterface } from 'node:readline';
import type { Engine } from '../core/engine/engine.js';
import { toProgenyError } from '../core/errors.js';
import type { CommandContext } from './context.js';
import type { ChatSession } from './chat-turn.js';
import { cliHint } from './hints.js';

export async function runPlainChat(ctx: CommandContext, engine: Engine, session: ChatSession): Promise<void> {
  const rl = createInterface({ input: ctx.stdin, output: ctx.out.stdout, prompt: ctx.out.style('cyan', 'you › ') });
  const name = engine.heritage.current().doc.name;
  ctx.out.notice(`${name} is listening (mode ${session.mode}). Ctrl+C cancels a reply; Ctrl+D or /quit exits.`);
  engine.embedInBackground();
  let turn: AbortController | undefined;
  rl.on('SIGINT', () => {
    if (turn) turn.abort();
    else rl.close();
  });
  rl.prompt();
  for await (const line of rl) {
    const message = line.trim();
    if (message === '/quit' || message === '/exit') break;
    if (message) {
      turn = new AbortController();
      let offline: string | undefined;
      ctx.out.write(ctx.out.style('magenta', `${name} › `));
      try {
        for await (const ev of engine.turn(
          { message, ...(session.conversationId ? { conversationId: session.conversationId } : {}) },
          { signal: turn.signal },
        )) {
          if (ev.type === 'start') session.conversationId = ev.conversationId;
          else if (ev.type === 'token') ctx.out.write(ev.text);
          else if (ev.type === 'done' && ev.interrupted) ctx.out.write(ctx.out.style('dim', ' [interrupted]'));
          else if (ev.type === 'done' && ev.hint) offline = cliHint(ev.hint);
          else if (ev.type === 'error') ctx.out.warn(ev.error.message, cliHint(ev.error));
        }
      } catch (err) {
        const e = toProgenyError(err);
        ctx.out.warn(e.message, cliHint(e));
      }
      turn = undefined;
      ctx.out.write('\n');
      // Once per session, labelled and apart from the reply: the companion does not speak the instructions.
      if (offline !== undefined && !session.warnedOffline) {
        session.warnedOffline = true;
        ctx.out.warn('OFFLINE: no model reachable, the reply comes from memory only', offline);
      }
    }
    rl.prompt();
  }
  rl.close();
}
