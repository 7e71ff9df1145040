import { render } from 'ink-testing-library';
import { describe, expect, it, vi } from 'vitest';
import { fakeEngine } from '../testing/tui-fake-engine.js';
import { until } from '../testing/tui-wait.js';
import { ChatRoot, type ReadyProps } from './ChatRoot.js';
import { openHistory } from './history.js';
import { THEMES } from './theme.js';

describe('ChatRoot', () => {
  it('draws a frame at once, then the chat screen when the engine is open, with its start-up notices', async () => {
    let resolve!: (p: ReadyProps) => void;
    const open = new Promise<ReadyProps>((r) => (resolve = r));
    const onReady = vi.fn();
    const r = render(<ChatRoot open={open} theme={THEMES.none} onFailed={() => undefined} onReady={onReady} />);
    expect(r.lastFrame()).toContain('starting…');
    expect(r.lastFrame()).toContain('╭');
    // Typing before the engine is open is not lost.
    await until(() => (r.stdin.write('hi'), r.lastFrame()?.includes('› hi') ?? false));
    resolve({
      engine: fakeEngine(),
      name: 'Nova',
      theme: THEMES.none,
      history: openHistory('/nonexistent/h.jsonl'),
      sync: null,
      copy: () => ({ ok: true, message: '' }),
      initialEntries: [{ kind: 'notice', tone: 'info', text: 'created a new companion "Nova"' }],
    });
    await until(() => r.lastFrame()?.includes('FULL') ?? false);
    expect(r.lastFrame()).toMatch(/› (hi)+/);
    expect(r.lastFrame()).toContain('created a new companion "Nova"');
    expect(r.lastFrame()).toContain('FULL');
    expect(onReady).toHaveBeenCalledTimes(1);
  });

  it('hands an opening failure to onFailed (the caller prints it with its hint)', async () => {
    const err = new Error('database is locked');
    const onFailed = vi.fn();
    render(<ChatRoot open={Promise.reject(err)} theme={THEMES.none} onFailed={onFailed} />);
    await until(() => onFailed.mock.calls.length > 0);
    expect(onFailed).toHaveBeenCalledWith(err);
  });
});
