/**
 * Opens the chat screen on a terminal and resolves when it closes. This file (with ink and react) is bundled into
 * dist/tui/chat-screen.js so start-up reads one file instead of hundreds of modules.
 */
import { appendFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { render } from 'ink';
import type { Mode } from '../core/events.js';
import { ChatApp } from './ChatApp.js';
import { copyToClipboard } from './clipboard.js';
import type { ChatEngine } from './engine-port.js';
import { openHistory } from './history.js';
import type { NewEntry } from './state.js';
import type { SyncPort } from './sync-port.js';
import { pickTheme } from './theme.js';

export interface ChatScreenOptions {
  engine: ChatEngine;
  conversationId?: string;
  /** Known mode; leave out to probe in the background after the first frame. */
  mode?: Mode;
  sync?: SyncPort | null;
  color: boolean;
  env: NodeJS.ProcessEnv;
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
  /** Closes the screen (SIGTERM). */
  signal?: AbortSignal;
}

const BRACKETED_PASTE_ON = '\x1b[?2004h';
const BRACKETED_PASTE_OFF = '\x1b[?2004l';

/**
 * PROGENY_TUI_TRACE=<file>: one JSON line for the first frame and per keystroke→frame, for scripts/bench-tui.ts.
 * A frame counts when its bytes were handed to the terminal (stdout.write returned), not when React finished.
 */
function traceFrames(path: string | undefined, stdout: NodeJS.WriteStream): { onKey(): void } | null {
  if (!path) return null;
  let first = true;
  let keyAt: number | null = null;
  const log = (o: object): void => appendFileSync(path, JSON.stringify(o) + '\n');
  const write = stdout.write.bind(stdout) as (...args: unknown[]) => boolean;
  stdout.write = ((...args: unknown[]) => {
    const ok = write(...args);
    const now = performance.now();
    if (first) log({ event: 'first-frame', ms: now, at: Date.now() });
    first = false;
    if (keyAt !== null) log({ event: 'key', ms: now - keyAt });
    keyAt = null;
    return ok;
  }) as typeof stdout.write;
  return {
    onKey() {
      keyAt ??= performance.now();
    },
  };
}

function loadEntries(engine: ChatEngine, conversationId: string | undefined): NewEntry[] {
  if (!conversationId) return [];
  return engine.conversations.messages(conversationId, { limit: 100_000 }).map((m): NewEntry =>
    m.role === 'user'
      ? { kind: 'user', text: m.text }
      : { kind: 'assistant', text: m.text, interrupted: m.status !== 'complete', offline: m.meta.offline === true, raw: false },
  );
}

export async function startChatScreen(o: ChatScreenOptions): Promise<void> {
  const { engine } = o;
  const theme = pickTheme(o.env, engine.config['ui.theme'], o.color);
  const name = engine.heritage.exists() ? engine.heritage.current().doc.name : 'companion';
  o.stdout.write(BRACKETED_PASTE_ON);
  const trace = traceFrames(o.env.PROGENY_TUI_TRACE, o.stdout);
  const instance = render(
    <ChatApp
      engine={engine}
      name={name}
      theme={theme}
      history={openHistory(engine.paths.chatHistory)}
      sync={o.sync ?? null}
      copy={(text) => copyToClipboard(text, o.stdout, o.env)}
      initialEntries={loadEntries(engine, o.conversationId)}
      {...(o.conversationId ? { conversationId: o.conversationId } : {})}
      {...(o.mode ? { mode: o.mode } : {})}
      {...(trace ? { onKey: trace.onKey } : {})}
    />,
    { stdin: o.stdin, stdout: o.stdout, exitOnCtrlC: false, patchConsole: true, maxFps: 60 },
  );
  const onAbort = (): void => instance.unmount();
  o.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await instance.waitUntilExit();
  } finally {
    o.signal?.removeEventListener('abort', onAbort);
    o.stdout.write(BRACKETED_PASTE_OFF);
  }
}
