/** ChatApp under ink-testing-library with the tests' defaults, and typing a line into it (one copy for every TUI test). */
import { join } from 'node:path';
import { render } from 'ink-testing-library';
import { vi, type Mock } from 'vitest';
import { ChatApp, type ChatAppProps } from '../tui/ChatApp.js';
import { openHistory } from '../tui/history.js';
import { THEMES } from '../tui/theme.js';
import type { FakeEngine } from './tui-fake-engine.js';
import { strip, tick } from './tui-wait.js';

export interface RenderedChatApp {
  r: ReturnType<typeof render>;
  copy: Mock<(text: string) => { ok: boolean; message: string }>;
  frame(): string;
  type(text: string): Promise<void>;
}

/** No colours, a fixed clock, no sync, a history file in `dir` and a recording clipboard; `props` override them. */
export function renderChatApp(engine: FakeEngine, dir: string, props: Partial<ChatAppProps> = {}): RenderedChatApp {
  const copy = vi.fn((text: string) => ({ ok: true, message: `copied ${text.length} chars` }));
  const r = render(
    <ChatApp
      engine={engine}
      name="Nova"
      theme={THEMES.none}
      history={openHistory(join(dir, 'h.jsonl'))}
      sync={null}
      copy={copy}
      now={() => new Date('2026-01-01T00:00:00Z')}
      {...props}
    />,
  );
  const frame = (): string => strip(r.lastFrame());
  /** Types `text`, then Enter, letting the screen render after each. */
  const type = async (text: string): Promise<void> => {
    r.stdin.write(text);
    await tick();
    r.stdin.write('\r');
    await tick();
  };
  return { r, copy, frame, type };
}
