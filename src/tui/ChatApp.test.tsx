import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeEngine, memory, type FakeEngine, type FakeTurn } from '../testing/tui-fake-engine.js';
import { renderChatApp } from '../testing/tui-chat-app.js';
import { tick, until as waitUntil } from '../testing/tui-wait.js';
import type { SyncPort } from './sync-port.js';

const until = (cond: () => boolean): Promise<void> => waitUntil(cond);

let dir = '';
afterEach(() => dir && rmSync(dir, { recursive: true, force: true }));

function setup(o: { turns?: FakeTurn[]; sync?: SyncPort | null; engine?: FakeEngine } = {}) {
  dir = mkdtempSync(join(tmpdir(), 'progeny-app-'));
  const engine =
    o.engine ??
    fakeEngine({ turns: o.turns ?? [], home: dir, memories: [memory('0123456789ab', 'Maya lives in Lisbon')] });
  const onExit = vi.fn();
  return { ...renderChatApp(engine, dir, { sync: o.sync ?? null, onExit }), engine, onExit };
}

describe('ChatApp', () => {
  it('streams a reply with its recalled memories, then shows latency, speed and the limbic gauges', async () => {
    const { frame, type, engine } = setup({
      turns: [{ tokens: ['# Hi\n', 'Maya is in ', '**Lisbon**.'], recalled: ['Maya lives in Lisbon'], delayMs: 5 }],
    });
    await until(() => frame().includes('FULL'));
    expect(frame()).toContain('llama3.2 · 1 memory');
    await type('where is Maya?');
    await until(() => frame().includes('tok/s'));
    const f = frame();
    expect(engine.inputs).toEqual(['where is Maya?']);
    expect(f).toContain('you › where is Maya?');
    expect(f).toContain('Hi');
    expect(f).toContain('Maya is in Lisbon.');
    expect(f).toContain('⟲ recalled 1 memory (Ctrl+O): Maya lives in Lisbon');
    expect(f).toContain('420 ms · 25 tok/s');
    expect(f).toContain('warmth');
    expect(f).toContain('0.62');
  });

  it('Ctrl+O expands the recall line with scores', async () => {
    const { r, frame, type } = setup({
      turns: [{ tokens: ['ok'], recalled: ['Maya lives in Lisbon', 'Maya plays violin'] }],
    });
    await type('hi');
    await until(() => frame().includes('recalled 2'));
    r.stdin.write('\x0f');
    await until(() => frame().includes('0.70 Maya plays violin'));
  });

  it('Ctrl+C cancels a streaming reply and keeps the partial text; twice more quits', async () => {
    const tokens = Array.from({ length: 200 }, (_, i) => `w${i} `);
    const { r, frame, type, onExit } = setup({ turns: [{ tokens, delayMs: 20 }] });
    await type('tell me a long story');
    await until(() => frame().includes('w3'));
    expect(frame()).toContain('Ctrl+C cancels');
    r.stdin.write('\x03');
    await until(() => frame().includes('(interrupted)'));
    expect(frame()).toContain('w0 w1 w2');
    expect(frame()).not.toContain('w199');
    expect(onExit).not.toHaveBeenCalled();
    r.stdin.write('\x03');
    await until(() => frame().includes('Ctrl+C again to quit'));
    expect(onExit).not.toHaveBeenCalled();
    r.stdin.write('\x03');
    await until(() => onExit.mock.calls.length === 1);
  });

  it('Ctrl+D on an empty line quits', async () => {
    const { r, onExit } = setup();
    await tick();
    r.stdin.write('\x04');
    await until(() => onExit.mock.calls.length === 1);
  });

  it('engine errors appear inline with their hint, and a throwing engine does not crash the screen', async () => {
    const { frame, type } = setup({
      turns: [
        {
          tokens: ['Par', 'tial'],
          error: { code: 'LLM_UNREACHABLE', message: 'model server unreachable', hint: 'start Ollama' },
        },
        { tokens: [], throws: new Error('database is locked') },
        { tokens: ['still here'] },
      ],
    });
    await type('one');
    await until(() => frame().includes('hint: start Ollama'));
    expect(frame()).toContain('✗ model server unreachable');
    expect(frame()).toContain('Partial');
    await type('two');
    await until(() => frame().includes('database is locked'));
    await type('three');
    await until(() => frame().includes('still here'));
  });

  it('slash commands: /remember, /memory search and forget, /state, /posture, /heritage, /help, unknown', async () => {
    const { frame, type, engine } = setup();
    await type('/remember Sam likes green tea');
    await until(() => frame().includes('remembered'));
    expect(engine.memories.map((m) => m.text)).toContain('Sam likes green tea');
    await until(() => frame().includes('2 memories'));
    await type('/memory search green');
    await until(() => frame().includes('0.80  Sam likes green tea'));
    await type('/memory forget 0123456789');
    // Like the CLI, it asks first (issue 13, item 12): anything but y keeps it.
    await until(() => frame().includes('type y and Enter to forget it'));
    await type('no');
    await until(() => frame().includes('kept: nothing was changed'));
    expect(engine.memories.map((m) => m.text)).toContain('Maya lives in Lisbon');
    await type('/memory forget 0123456789');
    await until(() => frame().split('type y and Enter').length === 3);
    await type('y');
    await until(() => frame().includes('forgotten 01234567'));
    await type('/memory forget nope');
    await until(() => frame().includes('not found') || frame().includes('no memory'));
    await type('/state');
    await until(() => frame().includes('why (latest changes):'));
    expect(frame()).toContain('positive sentiment 0.40');
    await type('/posture');
    await until(() => frame().includes('a question seeking knowledge'));
    await type('/heritage');
    await until(() => frame().includes('Nova, created by Sam (heritage v3)'));
    await type('/help');
    await until(() => frame().includes('Keys:'));
    await type('/frobnicate');
    await until(() => frame().includes('unknown command /frobnicate'));
    expect(engine.inputs).toEqual([]);
  });

  it('/copy, /export, /raw, /sync (not set up, then set up), /clear and /quit', async () => {
    const sync: SyncPort = {
      status: () => ({ configured: true, relay: 'wss://relay.example', pending: 3, lastSyncAt: null }),
      push: async () => ({ pushed: 3 }),
      pull: async () => ({ pulled: 1 }),
    };
    const a = setup({ turns: [{ tokens: ['the ', 'answer'] }] });
    await a.type('/sync');
    await until(() => a.frame().includes('progeny sync init'));
    await a.type('/copy');
    await until(() => a.frame().includes('nothing to copy') || a.copy.mock.calls.length > 0);
    await a.type('question');
    await until(() => a.frame().includes('the answer'));
    await a.type('/copy');
    await until(() => a.frame().includes('copied 10 chars'));
    expect(a.copy).toHaveBeenLastCalledWith('the answer');
    const out = join(dir, 'conv.md');
    await a.type(`/export ${out}`);
    await until(() => a.frame().includes(`exported to ${out}`));
    expect(readFileSync(out, 'utf8')).toContain('## Nova\n\nthe answer');
    await a.type('/raw');
    await until(() => a.frame().includes('raw Markdown on'));
    await a.type('/clear');
    await until(() => a.frame().includes('new conversation'));
    await a.type(`/export ${out}`);
    await until(() => a.frame().split(`exported to ${out}`).length === 3);
    expect(readFileSync(out, 'utf8')).not.toContain('question');
    await a.type('/quit');
    await until(() => a.onExit.mock.calls.length === 1);

    const b = setup({ sync });
    await b.type('/sync');
    await until(() => b.frame().includes('relay wss://relay.example, 3 change(s) to push, last sync never'));
    await b.type('/sync push');
    await until(() => b.frame().includes('sync push: 3 change(s) pushed'));
  });

  it('re-lays out on resize and stays readable at 40 columns', async () => {
    const { r, frame } = setup();
    await until(() => frame().includes('FULL'));
    Object.defineProperty(r.stdout, 'columns', { get: () => 40, configurable: true });
    r.stdout.emit('resize');
    await until(() =>
      frame()
        .split('\n')
        .every((l) => l.length <= 40),
    );
    for (const word of ['FULL', 'trust', 'posture']) expect(frame()).toContain(word);
  });

  it('history: sent messages come back with Up', async () => {
    const { r, frame, type } = setup({ turns: [{ tokens: ['a'] }] });
    await type('first message');
    await until(() => frame().includes('tok/s'));
    r.stdin.write('\x1b[A');
    await until(() => frame().includes('› first message'));
  });
});
