import { describe, expect, it } from 'vitest';
import type { EngineEvent } from '../core/events.js';
import { memory, snapshot } from '../testing/tui-fake-engine.js';
import { initialState, isBusy, reducer, type Action, type ChatState } from './state.js';

const run = (actions: Action[], s: ChatState = initialState()): ChatState => actions.reduce(reducer, s);
const ev = (event: EngineEvent): Action => ({ type: 'event', event });
const stats = { latencyMs: 1200, firstTokenMs: 80, tokens: 3, tokensPerSecond: 30 };
const start: EngineEvent = {
  type: 'start',
  turnId: 't1',
  conversationId: 'c1',
  mode: 'FULL',
  posture: 'PEER',
  model: 'llama3.2',
};
const recall: EngineEvent = {
  type: 'recall',
  turnId: 't1',
  memories: [
    {
      memory: memory('m1', 'Maya lives in Lisbon'),
      rank: 0,
      score: { score: 0.8, similarity: 0.9, freshness: 1, salience: 0.5, mmr: 0.8 },
    },
  ],
};
const done = (reply: string, o: Partial<Extract<EngineEvent, { type: 'done' }>> = {}): EngineEvent => ({
  type: 'done',
  turnId: 't1',
  messageId: 'm',
  reply,
  interrupted: false,
  truncated: false,
  offline: false,
  cached: false,
  mode: 'FULL',
  stats,
  ...o,
});

describe('chat reducer', () => {
  it('a turn: submit → live reply with tokens and recall → done commits the reply and keeps the recall line live', () => {
    const s1 = run([
      { type: 'submit', text: 'where is Maya?', at: 1 },
      ev(start),
      ev(recall),
      ev({ type: 'token', turnId: 't1', text: 'In ' }),
      { type: 'tokens', text: 'Lisbon.' },
    ]);
    expect(isBusy(s1)).toBe(true);
    expect(s1.entries).toEqual([{ kind: 'user', id: 'e1', text: 'where is Maya?' }]);
    expect(s1.live).toMatchObject({
      turnId: 't1',
      text: 'In Lisbon.',
      recalled: [{ id: 'm1', text: 'Maya lives in Lisbon', score: 0.8 }],
    });
    expect(s1.status).toMatchObject({ mode: 'FULL', model: 'llama3.2' });

    const s2 = run([ev(done('In Lisbon.'))], s1);
    expect(isBusy(s2)).toBe(false);
    expect(s2.entries[1]).toMatchObject({ kind: 'assistant', text: 'In Lisbon.', interrupted: false });
    expect(s2.lastRecall).toEqual({ memories: [expect.objectContaining({ id: 'm1' })], expanded: false });
    expect(s2.status).toMatchObject({ latencyMs: 1200, tokensPerSecond: 30 });

    // The next submit moves the recall line into scrollback, in the state the user left it.
    const s3 = run([{ type: 'toggleRecall' }, { type: 'submit', text: 'thanks', at: 2 }], s2);
    expect(s3.entries.map((e) => e.kind)).toEqual(['user', 'assistant', 'recall', 'user']);
    expect(s3.entries[2]).toMatchObject({ kind: 'recall', expanded: true });
    expect(s3.lastRecall).toBeNull();
  });

  it('a loading model, then thinking, show in the live reply; the reply keeps only the answer, marked when cut', () => {
    const loading = run([
      { type: 'submit', text: 'hi', at: 1 },
      ev(start),
      ev({ type: 'loading', turnId: 't1', model: 'qwen3' }),
    ]);
    expect(loading.live).toMatchObject({ loading: 'qwen3', text: '' });
    const thinking = run(
      [
        ev({ type: 'thinking', turnId: 't1', text: 'The user' }),
        ev({ type: 'thinking', turnId: 't1', text: ' waves.' }),
      ],
      loading,
    );
    expect(thinking.live).toMatchObject({ loading: null, thinking: 'The user waves.', text: '' });
    const s = run([{ type: 'tokens', text: 'Hello' }, ev(done('Hello', { truncated: true }))], thinking);
    expect(s.entries[1]).toMatchObject({ kind: 'assistant', text: 'Hello', truncated: true, thoughtWords: 3 });
    expect(s.lastThinking).toBe('The user waves.');
    // /continue: a turn with no message of yours; its reply is a new entry.
    const c = run([{ type: 'continue', at: 2 }, ev(start), ev(done(' again.'))], s);
    expect(c.entries.map((e) => e.kind)).toEqual(['user', 'assistant', 'assistant']);
    expect(c.lastThinking).toBe('');
  });

  it('a reply cut to nothing (all reasoning) is still shown, marked cut', () => {
    const s = run([{ type: 'submit', text: 'hi', at: 1 }, ev(start), ev(done('', { truncated: true }))]);
    expect(s.entries[1]).toMatchObject({ kind: 'assistant', text: '', truncated: true });
  });

  it('an interrupted reply keeps its partial text, tagged', () => {
    const s = run([
      { type: 'submit', text: 'hi', at: 1 },
      ev(start),
      { type: 'tokens', text: 'Hel' },
      ev(done('Hel', { interrupted: true })),
    ]);
    expect(s.entries[1]).toMatchObject({ kind: 'assistant', text: 'Hel', interrupted: true });
    expect(s.live).toBeNull();
  });

  it('a turn cancelled before any token says so', () => {
    const s = run([{ type: 'submit', text: 'hi', at: 1 }, ev(start), ev(done('', { interrupted: true }))]);
    expect(s.entries.slice(1)).toEqual([
      expect.objectContaining({ kind: 'notice', text: 'cancelled before the reply started' }),
    ]);
  });

  it('an engine error ends the turn with the partial reply and an inline error with its hint', () => {
    const s = run([
      { type: 'submit', text: 'hi', at: 1 },
      ev(start),
      { type: 'tokens', text: 'Part' },
      ev({
        type: 'error',
        turnId: 't1',
        error: {
          code: 'LLM_UNREACHABLE',
          message: 'model server unreachable',
          hint: 'start the model server',
          actions: [{ action: 'doctor' }],
        },
        partial: 'Part',
        messageId: null,
      }),
    ]);
    expect(s.live).toBeNull();
    expect(s.entries.slice(1)).toEqual([
      expect.objectContaining({ kind: 'assistant', text: 'Part', interrupted: true }),
      expect.objectContaining({
        kind: 'notice',
        tone: 'error',
        text: 'model server unreachable',
        hint: 'start the model server: run `progeny doctor`',
      }),
    ]);
  });

  it('an error before any token adds no empty reply', () => {
    const s = run([
      { type: 'submit', text: 'hi', at: 1 },
      ev({
        type: 'error',
        turnId: '',
        error: { code: 'LLM_STREAM_CUT', message: 'boom' },
        partial: '',
        messageId: null,
      }),
    ]);
    expect(s.entries.map((e) => e.kind)).toEqual(['user', 'notice']);
  });

  it('tokens outside a turn are ignored; limbic and status updates apply', () => {
    const s = run([
      { type: 'tokens', text: 'stray' },
      { type: 'limbic', state: snapshot({ trust: 0.9 }) },
      { type: 'status', patch: { memoryCount: 7 } },
    ]);
    expect(s.live).toBeNull();
    expect(s.limbic?.trust).toBe(0.9);
    expect(s.status.memoryCount).toBe(7);
  });

  it('offline replies are marked; the mode follows done', () => {
    const s = run([
      { type: 'submit', text: 'hi', at: 1 },
      ev({ ...start, mode: 'OFFLINE', model: null }),
      ev(done('[offline] …', { offline: true, mode: 'OFFLINE' })),
    ]);
    expect(s.entries[1]).toMatchObject({ offline: true });
    expect(s.status.mode).toBe('OFFLINE');
  });

  it("an OFFLINE reply's hint is a labelled notice under it, in the CLI's words, not repeated every turn", () => {
    const hint = { text: 'start Ollama', actions: [{ action: 'pull-model' as const, args: { model: 'qwen3' } }] };
    const offline = (text: string): Action[] => [
      { type: 'submit', text, at: 1 },
      ev({ ...start, mode: 'OFFLINE', model: null }),
      ev(done('[offline] I remember Lisbon.', { offline: true, mode: 'OFFLINE', hint })),
    ];
    const s = run([...offline('hi'), ...offline('again')]);
    const notice = { kind: 'notice', tone: 'info', text: expect.stringMatching(/^OFFLINE/) };
    expect(s.entries.map((e) => e.kind)).toEqual(['user', 'assistant', 'notice', 'user', 'assistant']);
    expect(s.entries[1]).toMatchObject({ text: '[offline] I remember Lisbon.' });
    expect(s.entries[2]).toMatchObject({ ...notice, hint: 'start Ollama: run `ollama pull qwen3`' });
    // After a reply from a model, the next OFFLINE reply says it again.
    const back = run([{ type: 'submit', text: 'x', at: 2 }, ev(start), ev(done('Hi')), ...offline('gone')], s);
    expect(back.entries.at(-1)).toMatchObject(notice);
  });

  it('/clear empties the view, remounts <Static> (new epoch) and drops the pending recall line', () => {
    const s = run([{ type: 'submit', text: 'hi', at: 1 }, ev(start), ev(recall), ev(done('yo')), { type: 'clear' }]);
    expect(s).toMatchObject({ entries: [], lastRecall: null, epoch: 1, shownFrom: 0 });
  });

  it('raw toggle applies to replies finished after it', () => {
    const s = run([{ type: 'toggleRaw' }, { type: 'submit', text: 'hi', at: 1 }, ev(start), ev(done('**x**'))]);
    expect(s.entries[1]).toMatchObject({ raw: true });
  });

  it('a long loaded history shows only its tail, with a note, and keeps every entry for export', () => {
    const entries = Array.from({ length: 120 }, (_, i) => ({ kind: 'user' as const, text: `m${i}` }));
    const s = run([{ type: 'history', entries, show: 50 }]);
    expect(s.entries).toHaveLength(121);
    expect(s.shownFrom).toBe(70);
    expect(s.entries[70]).toMatchObject({ kind: 'notice', text: expect.stringContaining('70 earlier messages') });
    expect(s.entries[71]).toMatchObject({ text: 'm70' });
    expect(new Set(s.entries.map((e) => e.id)).size).toBe(121);
  });

  it('exit arming is cleared by a new message or notice', () => {
    const armed = run([{ type: 'armExit', armed: true }]);
    expect(armed.exitArmed).toBe(true);
    expect(run([{ type: 'submit', text: 'x', at: 1 }], armed).exitArmed).toBe(false);
    expect(run([{ type: 'notice', text: 'n' }], armed).exitArmed).toBe(false);
  });
});
