import { newTurnOutcome } from '../../core/engine/turn-fold.js';
import { render } from 'ink-testing-library';
import { describe, expect, it, vi } from 'vitest';
import { snapshot } from '../../testing/tui-fake-engine.js';
import { strip, tick, until } from '../../testing/tui-wait.js';
import type { EditorEffect } from '../editor.js';
import { initialState, type ChatState } from '../state.js';
import { THEMES } from '../theme.js';
import { Composer } from './Composer.js';
import { Conversation } from './Conversation.js';
import { EntryView } from './EntryView.js';
import { Gauges } from './Gauges.js';
import { LiveReply } from './LiveReply.js';
import { RecallView } from './RecallView.js';
import { StatusBar } from './StatusBar.js';

const theme = THEMES.none;
const memories = [
  { id: 'a', text: 'Maya lives in Lisbon', score: 0.81, similarity: 0.9 },
  { id: 'b', text: 'Maya teaches violin', score: 0.64, similarity: 0.7 },
];

describe('EntryView', () => {
  it('renders your message, a Markdown reply with its tags, and a notice with its hint', () => {
    const user = render(
      <EntryView entry={{ kind: 'user', id: '1', text: 'hi there' }} name="Nova" width={60} theme={theme} />,
    );
    expect(user.lastFrame()).toContain('you › hi there');
    const reply = render(
      <EntryView
        entry={{ kind: 'assistant', id: '2', text: '# Plan\n- **one**', interrupted: true, offline: true, raw: false }}
        name="Nova"
        width={60}
        theme={theme}
      />,
    );
    expect(reply.lastFrame()).toContain('Nova › (offline: from memory, interrupted)');
    expect(reply.lastFrame()).toContain('Plan');
    expect(strip(reply.lastFrame())).toContain('• one');
    const raw = render(
      <EntryView
        entry={{ kind: 'assistant', id: '3', text: '# Plan', interrupted: false, offline: false, raw: true }}
        name="Nova"
        width={60}
        theme={theme}
      />,
    );
    expect(raw.lastFrame()).toContain('# Plan');
    const err = render(
      <EntryView
        entry={{ kind: 'notice', id: '4', text: 'model unreachable', tone: 'error', hint: 'start ollama' }}
        name="Nova"
        width={60}
        theme={theme}
      />,
    );
    expect(err.lastFrame()).toContain('✗ model unreachable');
    expect(err.lastFrame()).toContain('hint: start ollama');
  });
});

describe('RecallView', () => {
  it('collapsed: one line, cut to the width; expanded: each memory with its score', () => {
    const c = render(<RecallView memories={memories} expanded={false} width={50} theme={theme} hint />);
    expect(c.lastFrame()?.split('\n')).toHaveLength(1);
    expect(c.lastFrame()).toContain('⟲ recalled 2 memories (Ctrl+O): Maya lives');
    const e = render(<RecallView memories={memories} expanded width={60} theme={theme} />);
    expect(e.lastFrame()).toContain('0.81 Maya lives in Lisbon');
    expect(e.lastFrame()).toContain('0.64 Maya teaches violin');
    expect(render(<RecallView memories={[]} expanded={false} width={60} theme={theme} />).lastFrame()).toContain(
      'no memories recalled',
    );
  });
});

describe('LiveReply', () => {
  it('shows the streaming text, or only its tail when it is taller than the room left', () => {
    const live = {
      turn: newTurnOutcome(),
      turnId: 't',
      text: Array.from({ length: 30 }, (_, i) => `line ${i}`).join('\n\n'),
      recalled: memories,
      startedAt: 0,
    };
    const f =
      render(<LiveReply live={live} name="Nova" width={60} maxRows={6} raw={false} theme={theme} />).lastFrame() ?? '';
    expect(f).toContain('line 29');
    expect(f).not.toContain('line 0\n');
    expect(f).toMatch(/more lines above/);
    expect(f).toContain('⟲ recalled 2 memories');
    const empty = render(
      <LiveReply
        live={{ ...live, text: '', recalled: null }}
        name="Nova"
        width={60}
        maxRows={6}
        raw={false}
        theme={theme}
      />,
    ).lastFrame();
    expect(empty).toContain('Nova ›');
    expect(empty).toContain('…');
  });
});

describe('Conversation', () => {
  it('prints finished entries once (Static) and keeps the live reply below them', () => {
    const s: ChatState = {
      ...initialState(),
      entries: [{ kind: 'user', id: 'e1', text: 'hello' }],
      live: { turn: newTurnOutcome(), turnId: 't', text: 'Hi **you**', recalled: null, startedAt: 0 },
    };
    const r = render(<Conversation state={s} name="Nova" width={60} rows={20} theme={theme} />);
    const f = strip(r.lastFrame());
    expect(f.indexOf('you › hello')).toBeLessThan(f.indexOf('Hi you'));
    // A re-render adds the finished reply to the static output once; the live copy is gone.
    r.rerender(
      <Conversation
        state={{
          ...s,
          live: null,
          entries: [
            ...s.entries,
            { kind: 'assistant', id: 'e2', text: 'Hi you', interrupted: false, offline: false, raw: false },
          ],
          lastRecall: { memories, expanded: true },
        }}
        name="Nova"
        width={60}
        rows={20}
        theme={theme}
      />,
    );
    const last = strip(r.lastFrame());
    expect(last.match(/you › hello/g)).toHaveLength(1);
    expect(last.match(/Hi you/g)).toHaveLength(1);
    expect(r.lastFrame()).toContain('0.81 Maya lives in Lisbon');
  });
});

describe('StatusBar and Gauges', () => {
  it('shows mode, model, memories, latency and speed, and the keys that matter now', () => {
    const status = {
      mode: 'OFFLINE' as const,
      model: 'llama3.2',
      memoryCount: 12,
      latencyMs: 1530,
      tokensPerSecond: 41.6,
      contextTokens: null,
      promptTokens: null,
      completionTokens: null,
      sessionTokens: 0,
    };
    const f =
      render(<StatusBar status={status} busy={false} exitArmed={false} theme={theme} width={100} />).lastFrame() ?? '';
    expect(f).toContain('OFFLINE');
    expect(f).toContain('llama3.2 · 12 memories · 1.5 s · 42 tok/s');
    expect(f).toContain('/help');
    expect(
      render(<StatusBar status={status} busy exitArmed={false} theme={theme} width={100} />).lastFrame(),
    ).toContain('Ctrl+C cancels');
    expect(
      render(<StatusBar status={status} busy={false} exitArmed theme={theme} width={100} />).lastFrame(),
    ).toContain('Ctrl+C again to quit');
    expect(
      render(
        <StatusBar status={{ ...status, mode: 'PROBING' }} busy={false} exitArmed={false} theme={theme} width={100} />,
      ).lastFrame(),
    ).toContain('probing…');
    // Token usage of the last reply, against the context window when it is known.
    const used = { ...status, promptTokens: 1800, completionTokens: 250, contextTokens: 8192 };
    expect(
      render(<StatusBar status={used} busy={false} exitArmed={false} theme={theme} width={100} />).lastFrame(),
    ).toContain('2.0k/8.2k ctx 25%');
  });

  it('gauges: one line when wide, wrapped but complete at 40 columns', () => {
    const s = snapshot({ trust: 0.62, warmth: 0.7, posture: 'EXPERT' });
    const wide = render(<Gauges state={s} width={120} theme={theme} />).lastFrame() ?? '';
    expect(wide.split('\n')).toHaveLength(1);
    expect(wide).toContain('trust █████░░░ 0.62');
    expect(wide).toContain('posture EXPERT');
    const narrow = render(<Gauges state={s} width={40} theme={theme} />).lastFrame() ?? '';
    for (const line of narrow.split('\n')) expect(line.length).toBeLessThanOrEqual(40);
    for (const v of ['trust', 'warmth', 'arousal', 'valence', 'EXPERT']) expect(narrow).toContain(v);
  });
});

describe('Composer', () => {
  it('edits, completes slash commands with a menu, pastes multi-line blocks, and submits', async () => {
    const effects: EditorEffect[] = [];
    const r = render(
      <Composer onEffect={(e) => effects.push(e)} history={['earlier']} busy={false} width={60} theme={theme} />,
    );
    const frame = (): string => r.lastFrame() ?? '';
    await tick();
    r.stdin.write('/me');
    await until(() => frame().includes('/memory [recent [N] | search TEXT | forget ID]'), frame);
    r.stdin.write('\t');
    await until(() => frame().includes('› /memory '), frame);
    r.stdin.write('\x1b');
    await until(() => !frame().includes('/memory'), frame);
    r.stdin.write('\x1b[200~one\rtwo\x1b[201~');
    await until(() => /› one\s+│\n│\s+two/.test(frame()), frame);
    expect(effects).toEqual([]);
    r.stdin.write('\r');
    await until(() => effects.length > 0);
    expect(effects).toEqual([{ type: 'submit', text: 'one\ntwo' }]);
    r.stdin.write('\x1b[A');
    await until(() => frame().includes('› earlier'), frame);
  });

  it('shows a window of a long input around the cursor', async () => {
    const r = render(
      <Composer onEffect={() => undefined} history={[]} busy={false} width={60} theme={theme} maxLines={3} />,
    );
    const frame = (): string => r.lastFrame() ?? '';
    await tick();
    r.stdin.write('\x1b[200~' + Array.from({ length: 8 }, (_, i) => `row${i}`).join('\r') + '\x1b[201~');
    await until(() => frame().includes('row7'), frame);
    expect(frame()).toContain('↑ 5 more lines');
    expect(frame()).not.toContain('row4');
  });

  it('while a reply streams: says Enter queues, hands the message up, and reports Ctrl+C', async () => {
    const onEffect = vi.fn();
    const r = render(<Composer onEffect={onEffect} history={[]} busy width={60} theme={theme} />);
    const frame = (): string => r.lastFrame() ?? '';
    await tick();
    r.stdin.write('next question');
    await until(() => frame().includes('Enter queues it'), frame);
    r.stdin.write('\r');
    await until(() => onEffect.mock.calls.length > 0);
    expect(onEffect).toHaveBeenCalledWith({ type: 'submit', text: 'next question' });
    r.stdin.write('typed');
    await until(() => frame().includes('typed'), frame);
    r.stdin.write('\x03');
    await until(() => onEffect.mock.calls.length > 1);
    expect(onEffect).toHaveBeenLastCalledWith({ type: 'interrupt', hadText: true });
  });
});
