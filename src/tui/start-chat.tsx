/**
 * Opens the chat screen on a terminal and resolves when it closes. This file (with ink and react) is bundled into
 * dist/tui/chat-screen.js so start-up reads one file instead of hundreds of modules. The first frame is drawn before
 * the engine is open; `open` supplies it.
 */
import { appendFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { render } from 'ink';
import type { Mode } from '../core/events.js';
import { ChatRoot, type ReadyProps } from './ChatRoot.js';
import { copyToClipboard } from './clipboard.js';
import { loadEntries } from './conversation-entries.js';
import type { ChatEngine } from './engine-port.js';
import { loadHighlighter } from './highlight.js';
import { openHistory } from './history.js';
import type { NewEntry } from './state.js';
import type { SyncPort } from './sync-port.js';
import { pickTheme } from './theme.js';

export interface OpenedChat {
  engine: ChatEngine;
  conversationId?: string;
  /** Known mode; leave out to probe in the background. */
  mode?: Mode;
  sync?: SyncPort | null;
  /** Said first in the conversation (e.g. "created a new companion"). */
  notices?: string[];
}

export interface ChatScreenOptions {
  /** Opens the engine; called once, after the first frame is on screen. */
  open(): Promise<OpenedChat>;
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
 * PROGENY_TUI_TRACE=<file>: JSON lines for the first frame, the first interactive frame and each keystroke→frame,
 * for scripts/bench-tui.ts. A frame counts when its bytes were handed to the terminal (stdout.write returned).
 */
function traceFrames(
  path: string | undefined,
  stdout: NodeJS.WriteStream,
): { onKey(): void; onReady(): void; onRender(m: { renderTime: number }): void } | null {
  if (!path) return null;
  let first = true;
  let ready = false;
  let keyAt: number | null = null;
  const log = (o: object): void => appendFileSync(path, JSON.stringify(o) + '\n');
  const write = stdout.write.bind(stdout) as (...args: unknown[]) => boolean;
  stdout.write = ((...args: unknown[]) => {
    const ok = write(...args);
    const now = performance.now();
    if (first) log({ event: 'first-frame', ms: now, at: Date.now() });
    first = false;
    if (ready) log({ event: 'interactive', ms: now, at: Date.now() });
    ready = false;
    if (keyAt !== null) log({ event: 'key', ms: now - keyAt });
    keyAt = null;
    return ok;
  }) as typeof stdout.write;
  return {
    onKey() {
      keyAt ??= performance.now();
    },
    onReady() {
      ready = true;
    },
    // Ink's own time to lay out and print one frame (no scheduling delays): the app's share of a keystroke.
    onRender(m) {
      if (keyAt !== null) log({ event: 'render', ms: m.renderTime });
    },
  };
}

async function prepare(o: ChatScreenOptions): Promise<ReadyProps> {
  const opened = await o.open();
  const { engine } = opened;
  const notices: NewEntry[] = (opened.notices ?? []).map((text) => ({ kind: 'notice', tone: 'info', text }));
  const loaded = loadEntries(engine, opened.conversationId);
  // Scrollback is printed once: a continued conversation with code waits (off the first frame) for the highlighter.
  if (loaded.some((e) => e.kind === 'assistant' && /```|~~~/.test(e.text)))
    await loadHighlighter().catch(() => undefined);
  return {
    engine,
    name: engine.heritage.exists() ? engine.heritage.current().doc.name : 'companion',
    theme: pickTheme(o.env, engine.config['ui.theme'], o.color),
    history: openHistory(engine.paths.chatHistory),
    sync: opened.sync ?? null,
    copy: (text) => copyToClipboard(text, o.stdout, o.env),
    initialEntries: [...notices, ...loaded],
    ...(opened.conversationId ? { conversationId: opened.conversationId } : {}),
    ...(opened.mode ? { mode: opened.mode } : {}),
  };
}

export async function startChatScreen(o: ChatScreenOptions): Promise<void> {
  o.stdout.write(BRACKETED_PASTE_ON);
  const trace = traceFrames(o.env.PROGENY_TUI_TRACE, o.stdout);
  let failure: { err: unknown } | undefined;
  // Before the config is read, the first frame follows NO_COLOR and PROGENY_UI_THEME only.
  const theme = pickTheme(o.env, o.env.PROGENY_UI_THEME ?? 'auto', o.color);
  // The engine starts opening once the first frame is out (Ink draws it synchronously inside render()).
  const opened = new Promise<void>((r) => setImmediate(r)).then(() => prepare(o));
  const instance = render(
    <ChatRoot
      open={opened}
      theme={theme}
      onFailed={(err) => (failure = { err })}
      {...(trace ? { onKey: trace.onKey, onReady: trace.onReady } : {})}
    />,
    {
      stdin: o.stdin,
      stdout: o.stdout,
      exitOnCtrlC: false,
      patchConsole: true,
      maxFps: 60,
      ...(trace ? { onRender: trace.onRender } : {}),
    },
  );
  const onAbort = (): void => instance.unmount();
  o.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await instance.waitUntilExit();
  } finally {
    o.signal?.removeEventListener('abort', onAbort);
    o.stdout.write(BRACKETED_PASTE_OFF);
  }
  if (failure) {
    instance.clear();
    throw failure.err;
  }
}
