/** ChatApp under ink-testing-library with the tests' defaults, and typing a line into it (one copy for every TUI test). */
import { join } from 'node:path';
import { render } from 'ink-testing-library';
import type { ReactElement } from 'react';
import { vi, type Mock } from 'vitest';
import { ChatApp, type ChatAppProps } from '../tui/ChatApp.js';
import { openHistory } from '../tui/history.js';
import { THEMES } from '../tui/theme.js';
import type { FakeEngine } from './tui-fake-engine.js';
import { strip, tick } from './tui-wait.js';

export interface RenderedChatApp {
  r: ReturnType<typeof render>;
  copy: CopyMock;
  frame(): string;
  type(text: string): Promise<void>;
}

type CopyMock = Mock<(text: string) => { ok: boolean; message: string }>;

/**
 * The ChatApp every TUI test renders: no colours, a fixed clock, no sync, a history file in `dir` and a recording
 * clipboard; `props` override them.
 */
export function chatAppElement(
  engine: FakeEngine,
  dir: string,
  props: Partial<ChatAppProps> = {},
): { element: ReactElement; copy: CopyMock } {
  const copy = vi.fn((text: string) => ({ ok: true, message: `copied ${text.length} chars` }));
  const element = (
    <ChatApp
      engine={engine}
      name="Nova"
      theme={THEMES.none}
      history={openHistory(join(dir, 'h.jsonl'))}
      sync={null}
      copy={copy}
      now={() => new Date('2026-01-01T00:00:00Z')}
      {...props}
    />
  );
  return { element, copy };
}

/** Types `text`, then Enter, letting the screen render after each. */
export async function typeLine(stdin: { write(data: string): unknown }, text: string): Promise<void> {
  stdin.write(text);
  await tick();
  stdin.write('\r');
  await tick();
}

/** chatAppElement under ink-testing-library, with its frame uncoloured and a line typer. */
export function renderChatApp(engine: FakeEngine, dir: string, props: Partial<ChatAppProps> = {}): RenderedChatApp {
  const { element, copy } = chatAppElement(engine, dir, props);
  const r = render(element);
  return { r, copy, frame: () => strip(r.lastFrame()), type: (text) => typeLine(r.stdin, text) };
}
