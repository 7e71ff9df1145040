import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { copyToClipboard, osc52, type TmuxPort } from './clipboard.js';
import { conversationMarkdown, exportPath, writeExport } from './export.js';
import { openHistory } from './history.js';
import { completions, helpText, KEYS_HELP, parseSlash, SLASH_COMMANDS } from './slash.js';
import { syncPortFrom } from './sync-port.js';
import { pickTheme } from './theme.js';
import type { EngineSync } from '../core/sync/index.js';

let dir = '';
afterEach(() => dir && rmSync(dir, { recursive: true, force: true }));
const tmp = (): string => (dir = mkdtempSync(join(tmpdir(), 'progeny-tui-')));

const tty = (isTTY: boolean): NodeJS.WriteStream & { written: string } => {
  const s = {
    isTTY,
    written: '',
    write(c: string) {
      s.written += c;
      return true;
    },
  };
  return s as unknown as NodeJS.WriteStream & { written: string };
};

describe('input history', () => {
  it('persists entries per home, skips blanks and repeats, survives a torn last line', () => {
    const path = join(tmp(), 'chat-history.jsonl');
    const h = openHistory(path);
    h.add('hello');
    h.add('hello');
    h.add('  ');
    h.add('multi\nline');
    writeFileSync(path, readFileSync(path, 'utf8') + '"torn');
    expect(openHistory(path).items).toEqual(['hello', 'multi\nline']);
  });

  it('keeps the newest `limit` entries and compacts the file atomically', () => {
    const path = join(tmp(), 'h.jsonl');
    const h = openHistory(path, 3);
    for (let i = 0; i < 8; i++) h.add(`m${i}`);
    expect(h.items).toEqual(['m5', 'm6', 'm7']);
    expect(openHistory(path, 3).items).toEqual(['m5', 'm6', 'm7']);
    expect(readFileSync(path, 'utf8').trim().split('\n').length).toBeLessThanOrEqual(6);
  });
});

describe('/copy (OSC 52)', () => {
  it('writes the OSC 52 sequence and says it was sent, not that it surely worked', () => {
    const out = tty(true);
    const r = copyToClipboard('héllo', out, {});
    expect(out.written).toBe(`\x1b]52;c;${Buffer.from('héllo').toString('base64')}\x07`);
    expect(r).toMatchObject({ ok: true, message: expect.stringMatching(/sent 6 bytes.*ignore it silently/) });
  });

  it('inside tmux, copies into tmux itself and says what reaches the clipboard (issue 13, item 6)', () => {
    const fake = (options: Record<string, string>, loads = true) => {
      const loaded: string[] = [];
      const port: TmuxPort = {
        option: (name) => options[name] ?? null,
        loadBuffer: (text) => (loads ? (loaded.push(text), true) : false),
      };
      return { port, loaded };
    };
    // tmux 3.3's defaults: an application's OSC 52 would be dropped, so none is written; the paste buffer gets it.
    const defaults = fake({ 'set-clipboard': 'external', 'allow-passthrough': 'off' });
    const out = tty(true);
    const r = copyToClipboard('héllo', out, { TMUX: '1' }, defaults.port);
    expect(defaults.loaded).toEqual(['héllo']);
    expect(out.written).toBe('');
    expect(r).toMatchObject({ ok: true, message: expect.stringContaining("tmux's paste buffer") });
    const off = fake({ 'set-clipboard': 'off' });
    expect(copyToClipboard('x', tty(true), { TMUX: '1' }, off.port)).toMatchObject({
      message: expect.stringContaining('does not reach the system clipboard'),
      hint: expect.stringContaining('set-clipboard'),
    });
    // tmux unreachable and its defaults: nothing is claimed.
    const none = fake({ 'set-clipboard': 'external', 'allow-passthrough': 'off' }, false);
    expect(copyToClipboard('x', tty(true), { TMUX: '1' }, none.port)).toMatchObject({
      ok: false,
      hint: expect.stringContaining('set-clipboard on'),
    });
    // Passthrough allowed: the wrapped sequence.
    const pass = fake({ 'set-clipboard': 'external', 'allow-passthrough': 'on' }, false);
    const o2 = tty(true);
    expect(copyToClipboard('x', o2, { TMUX: '1' }, pass.port).ok).toBe(true);
    expect(o2.written).toBe(osc52('x', true));
    expect(osc52('x', true)).toBe('\x1bPtmux;\x1b\x1b]52;c;eA==\x07\x1b\\');
  });

  it('refuses, without writing, when there is nothing, no terminal, or too much', () => {
    const out = tty(true);
    expect(copyToClipboard('', out, {}).ok).toBe(false);
    expect(copyToClipboard('x', tty(false), {}).message).toMatch(/not a terminal/);
    expect(copyToClipboard('x'.repeat(200_000), out, {})).toMatchObject({
      ok: false,
      hint: expect.stringContaining('/export'),
    });
    expect(out.written).toBe('');
  });
});

describe('/export', () => {
  it('writes the conversation as Markdown, recalled memories folded', () => {
    const md = conversationMarkdown(
      [
        { kind: 'user', id: '1', text: 'where is Maya?' },
        { kind: 'assistant', id: '2', text: 'In **Lisbon**.', interrupted: true, offline: false, raw: false },
        {
          kind: 'recall',
          id: '3',
          memories: [{ id: 'm', text: 'Maya lives in Lisbon', score: 0.81, similarity: 0.9 }],
          expanded: false,
        },
        { kind: 'notice', id: '4', text: 'not exported', tone: 'info' },
      ],
      { name: 'Nova', at: new Date('2026-01-02T03:04:05Z') },
    );
    expect(md).toContain('## You\n\nwhere is Maya?');
    expect(md).toContain('## Nova (interrupted)\n\nIn **Lisbon**.');
    expect(md).toContain('- Maya lives in Lisbon (score 0.81)');
    expect(md).not.toContain('not exported');
    const path = exportPath('', join(tmp(), 'exports'), 'c1', new Date('2026-01-02T03:04:05Z'));
    expect(path).toMatch(/exports\/c1-2026-01-02T03-04-05\.md$/);
    writeExport(path, md);
    expect(readFileSync(path, 'utf8')).toBe(md);
    expect(exportPath('out.md', '/x', undefined, new Date(), '/work')).toBe('/work/out.md');
  });
});

describe('themes', () => {
  it('NO_COLOR wins, then the configured theme, then COLORFGBG', () => {
    expect(pickTheme({ NO_COLOR: '1' }, 'dark').name).toBe('none');
    expect(pickTheme({}, 'dark', false).name).toBe('none');
    expect(pickTheme({ NO_COLOR: '' }, 'light').name).toBe('light');
    expect(pickTheme({ COLORFGBG: '0;15' }, 'auto').name).toBe('light');
    expect(pickTheme({ COLORFGBG: '15;0' }, 'auto').name).toBe('dark');
    expect(pickTheme({}, 'auto').name).toBe('dark');
  });
});

describe('slash command parsing', () => {
  it('parses names, aliases and arguments', () => {
    expect(parseSlash('/memory search  maya ')).toEqual({ name: 'memory', args: 'search  maya' });
    expect(parseSlash('/exit')).toEqual({ name: 'quit', args: '' });
    expect(parseSlash('hello /x')).toBeNull();
    expect(completions('/me').map((c) => c.name)).toEqual(['memory']);
    expect(completions('/m').map((c) => c.name)).toEqual(['memory', 'model']);
    expect(completions('/memory x')).toEqual([]);
    expect(completions('/').length).toBe(SLASH_COMMANDS.length);
    for (const c of SLASH_COMMANDS) expect(helpText()).toContain(c.usage);
  });
});

describe('/sync port over the engine sync API', () => {
  it('summarises status, push and pull', async () => {
    const fake = {
      status: async () => ({
        configured: true,
        relay: 'wss://r',
        deviceId: 'd',
        pendingChanges: 4,
        unsentBatches: 0,
        cursor: 0,
        head: 0,
        lastPushAt: 10,
        lastPullAt: 20,
        alarms: [],
        parked: [{ reason: 'unknown device', count: 2 }],
        conflicts: 1,
        devices: [],
      }),
      push: async () => ({ sealed: 4, sent: 1, duplicates: 0, pending: 0 }),
      pull: async () => ({ applied: 3, changes: 3, own: 0, parked: 0, alarms: [], cursor: 3, head: 3 }),
    } as unknown as EngineSync;
    const port = syncPortFrom(fake);
    expect(await port.status()).toEqual({
      configured: true,
      relay: 'wss://r',
      pending: 4,
      lastSyncAt: 20,
      detail: '1 conflict(s); 2 change(s) parked',
    });
    expect(await port.push()).toEqual({ pushed: 4, detail: '1 batch(es) sent' });
    expect(await port.pull()).toEqual({ pulled: 3 });
  });
});

describe("the README's Chat TUI section", () => {
  it('lists every slash command and every key that /help lists', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('## Chat TUI'), readme.indexOf('## Benchmarks and profiling'));
    for (const c of SLASH_COMMANDS) expect(section, c.name).toContain(`\`/${c.name}`);
    for (const [keys] of KEYS_HELP)
      for (const k of keys
        .split(/,| or | then |\s\/\s/)
        .map((x) => x.trim())
        .filter((x) => /^(Ctrl|Alt|Up|Tab|Enter|Esc)/.test(x)))
        expect(section, k).toContain(k);
  });
});
