/**
 * Issue 13, items 5, 10, 11 and 12, and the features: /model, /conversations, token usage, /copy code N, $EDITOR,
 * Ctrl+L, regenerate, edit-and-resend, and a message typed while a reply streams.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeEngine, memory, type FakeEngine } from '../testing/tui-fake-engine.js';
import { renderChatApp } from '../testing/tui-chat-app.js';
import { tick, until } from '../testing/tui-wait.js';
import type { ChatAppProps } from './ChatApp.js';

let dir = '';
afterEach(() => dir && rmSync(dir, { recursive: true, force: true }));

function setup(engine: FakeEngine, extra: Partial<ChatAppProps> = {}) {
  const app = renderChatApp(engine, dir, extra);
  const wait = (cond: () => boolean): Promise<void> => until(cond, app.frame);
  return { ...app, wait };
}

const fresh = (o: Parameters<typeof fakeEngine>[0] = {}): FakeEngine => {
  dir = mkdtempSync(join(tmpdir(), 'progeny-session-'));
  return fakeEngine({ home: dir, memories: [memory('0123456789ab', 'Maya lives in Lisbon')], ...o });
};

describe('/memory and /state output (items 5 and 11)', () => {
  it('/memory recent shows one line per memory however long it is; search is sorted by score', async () => {
    const long = Array.from({ length: 200 }, (_, i) => `line ${i} of a pasted log`).join('\n');
    const e = fresh({ memories: [memory('aaaaaaaa1111', long), memory('bbbbbbbb2222', 'Maya plays the violin')] });
    const { frame, type, wait } = setup(e);
    await type('/memory recent');
    await wait(() => frame().includes('(+199 lines)'));
    expect(frame()).not.toContain('line 1 of');
    await type('/memory search a');
    await wait(() => frame().includes('0.85'));
    const lines = frame().split('\n');
    const first = lines.findIndex((l) => l.includes('0.85'));
    expect(lines[first + 1]).toContain('0.80');
  });

  it('/state leaves out decay entries that moved nothing', async () => {
    const noop = {
      at: 0,
      variable: 'trust',
      before: 0.5,
      after: 0.5,
      delta: -0.00001,
      cause: 'decay over 0.0 h',
      turnId: '',
    };
    const real = {
      at: 0,
      variable: 'warmth',
      before: 0.6,
      after: 0.64,
      delta: 0.04,
      cause: 'a kind word',
      turnId: 't1',
    };
    const { frame, type, wait } = setup(fresh({ why: [noop, noop, noop, noop, noop, noop, real] }));
    await type('/state');
    await wait(() => frame().includes('why (latest changes):'));
    expect(frame()).toContain('+0.040  a kind word');
    expect(frame()).not.toContain('decay over 0.0 h');
  });
});

describe('status follows the model server (item 10)', () => {
  it('after a reply the server died in, the status says OFFLINE and why', async () => {
    const e = fresh({
      turns: [
        { tokens: ['Hal'], error: { code: 'LLM_STREAM_CUT', message: 'the reply was cut off' }, modeAfter: 'OFFLINE' },
      ],
    });
    const { frame, type, wait } = setup(e, { reprobeMs: 60_000 });
    await wait(() => frame().includes('FULL'));
    await type('hello');
    await wait(() => /OFFLINE: no model is answering/.test(frame()));
    expect(frame()).toMatch(/\nOFFLINE/);
  });

  it('a server that comes back is noticed without sending a message; AMNESIA is explained', async () => {
    const e = fresh({ mode: 'OFFLINE' });
    const { frame, wait } = setup(e, { reprobeMs: 50 });
    await wait(() => frame().includes('OFFLINE: no model is answering (connection refused)'));
    e.currentMode = 'FULL';
    await wait(() => frame().includes('FULL again'));
    e.emit({ type: 'mode', mode: 'AMNESIA', detail: 'qdrant at 127.0.0.1:6333 refused the connection' });
    await wait(() => frame().includes('AMNESIA: the memory store is not answering (qdrant at 127.0.0.1:6333'));
  });

  it('a model that is slow to start shows how long it has been waiting', async () => {
    const { frame, type, wait } = setup(fresh({ turns: [{ tokens: ['', 'late'], delayMs: 2300 }] }));
    await type('hello');
    await wait(() => frame().includes('waiting for the model: 2 s'));
  });
});

describe('typing while a reply streams (item 12)', () => {
  it('Enter queues the message and it is sent when the reply is done', async () => {
    const e = fresh({
      turns: [{ tokens: Array.from({ length: 30 }, (_, i) => `w${i} `), delayMs: 20 }, { tokens: ['second'] }],
    });
    const { frame, type, wait } = setup(e);
    await type('first');
    await wait(() => frame().includes('w2'));
    await type('and then this');
    await wait(() => frame().includes('⧗ queued: and then this'));
    await wait(() => frame().includes('second'));
    expect(e.inputs).toEqual(['first', 'and then this']);
  });
});

describe('features', () => {
  it('/model lists the server models in a picker and switches (and the status line follows)', async () => {
    const e = fresh({ models: ['llama3.2', 'qwen3:8b'] });
    const { r, frame, type, wait } = setup(e);
    await type('/model');
    await wait(() => frame().includes('Models on the server'));
    await tick(); // the picker's key handler attaches after its first frame
    r.stdin.write('\x1b[B');
    await tick();
    r.stdin.write('\r');
    await wait(() => frame().includes('model qwen3:8b from the next message on'));
    expect(e.model).toBe('qwen3:8b');
    expect(frame()).toMatch(/FULL +qwen3:8b/);
    await type('/model mistral');
    await wait(() => frame().includes('model mistral from the next message on'));
    expect(e.model).toBe('mistral');
  });

  it('/conversations picks a stored conversation and shows it; n starts a new one', async () => {
    const e = fresh({
      conversations: [
        {
          id: 'c1',
          title: 'Lisbon trip',
          updatedAt: Date.parse('2025-12-30T10:00:00Z'),
          messages: [
            { role: 'user', text: 'plan the trip' },
            { role: 'assistant', text: 'Day one: Alfama' },
          ],
        },
        {
          id: 'c2',
          title: 'Violin',
          updatedAt: Date.parse('2025-12-29T10:00:00Z'),
          messages: [{ role: 'user', text: 'scales?' }],
        },
      ],
    });
    const { r, frame, type, wait } = setup(e);
    await type('/conversations');
    await wait(() => frame().includes('Lisbon trip') && frame().includes('Violin'));
    await tick(); // the picker's key handler attaches after its first frame
    r.stdin.write('\r');
    await wait(() => frame().includes('Day one: Alfama') && frame().includes('resumed "Lisbon trip"'));
    await type('next');
    await wait(() => e.turnInputs.length === 1);
    expect(e.turnInputs[0]).toMatchObject({ conversationId: 'c1' });
    await wait(() => frame().includes('Ctrl+D quits'));
    await type('/conversations');
    await wait(() => frame().split('Conversations (most recent first)').length > 1);
    await tick();
    r.stdin.write('n');
    await wait(() => frame().includes('new conversation (memories are kept)'));
  });

  it('token usage: the status line shows the context used; /usage details it', async () => {
    const e = fresh({ turns: [{ tokens: ['hi'], usage: { prompt: 1500, completion: 500 } }] });
    e.config['llm.contextTokens'] = 8000;
    const { frame, type, wait } = setup(e);
    await type('hello');
    await wait(() => frame().includes('2.0k/8.0k ctx 25%'));
    await type('/usage');
    await wait(() => frame().includes('1500 prompt tokens + 500 reply tokens'));
  });

  it('/copy code N copies one code block; the blocks are numbered on screen', async () => {
    const reply = 'Two ways:\n```sh\nnpm ci\n```\nor\n```js\nconsole.log(1)\n```';
    const { copy, frame, type, wait } = setup(fresh({ turns: [{ tokens: [reply] }] }));
    await type('how?');
    await wait(() => frame().includes('[2] js'));
    await type('/copy code 1');
    await wait(() => copy.mock.calls.length === 1);
    expect(copy).toHaveBeenLastCalledWith('npm ci');
    await type('/copy code');
    await wait(() => copy.mock.calls.length === 2);
    expect(copy).toHaveBeenLastCalledWith('console.log(1)');
    await type('/copy code 3');
    await wait(() => frame().includes('has 2 code block(s)'));
  });

  it('Ctrl+X Ctrl+E and /edit put what $EDITOR saved into the input box', async () => {
    const editText = vi.fn((text: string) => ({ text: `${text}edited in the editor` }));
    const { r, frame, type, wait } = setup(fresh(), { editText });
    r.stdin.write('draft ');
    await tick();
    r.stdin.write('\x18');
    await tick();
    r.stdin.write('\x05');
    await wait(() => frame().includes('› draft edited in the editor'));
    expect(editText).toHaveBeenCalledWith('draft ');
    r.stdin.write('\x1b');
    await tick();
    await type('/edit');
    await wait(() => editText.mock.calls.length === 2);
    await wait(() => frame().includes('› edited in the editor'));
  });

  it('Ctrl+L wipes the screen and prints the conversation again', async () => {
    const { r, type, frame, wait } = setup(fresh({ turns: [{ tokens: ['hi there'] }] }));
    await type('hello');
    await wait(() => frame().includes('hi there') && frame().includes('Ctrl+D quits'));
    const before = r.frames.length;
    r.stdin.write('\x0c');
    // (Ink's test renderer keeps every line it printed: the conversation, printed again, shows twice.)
    await wait(() => frame().split('you › hello').length === 3);
    expect(r.frames.slice(before).some((f) => f.includes('\x1b[2J\x1b[3J\x1b[H'))).toBe(true);
  });

  it('/retry regenerates the last reply without it in the prompt; /edit-last sends an edited message in its place', async () => {
    const e = fresh({
      turns: [{ tokens: ['first answer'] }, { tokens: ['second answer'] }, { tokens: ['third answer'] }],
    });
    const { r, frame, type, wait } = setup(e);
    await type('what is two plus two?');
    await wait(() => frame().includes('first answer'));
    await type('/retry');
    await wait(() => frame().includes('second answer'));
    expect(e.inputs).toEqual(['what is two plus two?', 'what is two plus two?']);
    expect(e.turnInputs[1]).toMatchObject({ history: [] });
    await type('/edit-last');
    await wait(() => frame().includes('editing your last message'));
    r.stdin.write(' Exactly.');
    await tick();
    r.stdin.write('\r');
    await wait(() => frame().includes('third answer'));
    expect(e.inputs[2]).toBe('what is two plus two? Exactly.');
    expect(e.turnInputs[2]).toMatchObject({ history: [] });
  });
});
