/**
 * The chat screen as a terminal shows it (issue 13): resize while a reply streams leaves no stale copies, Ctrl+L
 * redraws, Ctrl+O never brings back what /clear cleared, grapheme-safe editing and bracketed paste of emoji and CJK,
 * /copy inside tmux, and a clean exit at 40 columns. The built binary in tmux against the LLM test double.
 */
import { execFileSync } from 'node:child_process';
import stringWidth from 'string-width';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startLlmTestDouble, type LlmTestDouble } from '../../src/testing/llm-double.js';
import { BIN, makeHome, type Home } from './cli-harness.js';
import { startTmux, tmuxAvailable, type TmuxSession } from './tmux-driver.js';

const hasTmux = tmuxAvailable();
const count = (s: string, re: RegExp): number => s.split('\n').filter((l) => re.test(l)).length;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const REPLY_END = 'how did the café visit with Zoë go?';
/** The reply to the message `sent` is on screen in full and the screen is idle again. */
const answered = (screen: string, sent: string): boolean =>
  (screen.split(sent)[1] ?? '').replace(/\s+/g, ' ').includes(REPLY_END) && screen.includes('Ctrl+D quits');
const userText = (body: unknown): string =>
  ((body as { messages: { role: string; content: string }[] }).messages.at(-1) ?? { content: '' }).content;

let home: Home;
let term: TmuxSession | undefined;
afterEach(() => {
  term?.kill();
  term = undefined;
  home?.cleanup();
});

describe.skipIf(!hasTmux)('chat screen in tmux (issue 13)', () => {
  let llm: LlmTestDouble;
  beforeAll(async () => {
    llm = await startLlmTestDouble({ fixture: 'greeting', tokenDelayMs: 70 });
  });
  afterAll(() => llm.close());

  const open = async (cols: number, rows: number): Promise<TmuxSession> => {
    llm.reset();
    home = makeHome({ PROGENY_LLM_PROVIDER: 'ollama', PROGENY_LLM_URL: llm.url, PROGENY_LLM_MODEL: 'llama3.2' });
    expect((await home.run(['memory', 'add', 'My sister Maya lives in Lisbon and teaches violin'])).code).toBe(0);
    const t = startTmux([process.execPath, BIN, 'chat'], home.env, { cols, rows });
    await t.waitFor((s) => s.includes('╰') && /\bFULL\b/.test(s), 'the first frame and the FULL mode');
    return t;
  };

  it('resizing while a reply streams leaves one copy of everything, laid out for the last width', async () => {
    term = await open(100, 30);
    term.type('How is Maya doing in Lisbon?');
    term.keys('Enter');
    await term.waitFor((x) => /Progeny ›\n\S/.test(x), 'the reply streaming');
    for (const [c, r] of [
      [60, 24],
      [40, 24],
      [80, 20],
      [50, 24],
    ] as const) {
      term.resize(c, r);
      await sleep(250);
    }
    const s = await term.waitFor((x) => answered(x, 'How is Maya doing'), 'the reply done', 20_000);
    await sleep(600);
    const screen = term.screen();
    expect(count(screen, /^you › How is Maya/)).toBe(1);
    expect(count(screen, /⟲ recalled/)).toBe(1);
    expect(count(screen, /^╭/)).toBe(1);
    expect(screen.split('Zoë').length - 1).toBe(1);
    expect(s).toContain('Progeny ›');
    for (const line of screen.split('\n')) expect(stringWidth(line)).toBeLessThanOrEqual(50);
  }, 60_000);

  it('Ctrl+L redraws: whatever else wrote to the terminal is gone, the conversation is back once', async () => {
    term = await open(80, 24);
    term.type('hello there');
    term.keys('Enter');
    await term.waitFor((x) => answered(x, 'hello there'), 'the reply');
    const tty = execFileSync('tmux', ['-L', term.socket, 'display', '-p', '-t', 'main', '#{pane_tty}'], {
      encoding: 'utf8',
    }).trim();
    // Settled first (counts refresh after a turn): Ink's next frame would erase a line written below it.
    await sleep(1000);
    execFileSync('sh', ['-c', `printf 'STRAY OUTPUT FROM ELSEWHERE\\n%.0s' 1 2 3 4 > ${tty}`]);
    await term.waitFor((x) => x.includes('STRAY OUTPUT'), 'the stray output');
    term.keys('C-l');
    const s = await term.waitFor(
      (x) => !x.includes('STRAY OUTPUT') && x.includes(REPLY_END) && x.includes('╰'),
      'the redraw',
    );
    expect(count(s, /^you › hello there/)).toBe(1);
    expect(s.split(REPLY_END).length - 1).toBe(1);
  }, 60_000);

  it('after /clear, expanding a tall recall (Ctrl+O) does not reprint the cleared conversation', async () => {
    term = await open(80, 12);
    for (let i = 0; i < 6; i++) {
      const text =
        `Maya fact ${i}: ` + 'she practises violin scales every morning before breakfast in Lisbon. '.repeat(3);
      expect((await home.run(['memory', 'add', text])).code).toBe(0);
    }
    term.type('BEFORE-CLEAR-MARKER tell me about Maya');
    term.keys('Enter');
    await term.waitFor((x) => answered(x, 'BEFORE-CLEAR-MARKER'), 'the first reply');
    term.type('/clear');
    term.keys('Enter');
    await term.waitFor((x) => x.includes('new conversation') && !x.includes('BEFORE-CLEAR-MARKER'), '/clear');
    term.type('What does Maya practise in Lisbon?');
    term.keys('Enter');
    await term.waitFor((x) => answered(x, 'What does Maya practise'), 'the second reply');
    term.keys('C-o');
    await sleep(500);
    // Ink decides how to draw a frame from the previous frame's height: the keystroke after the expansion is when a
    // live region taller than the screen made it clear the screen and print every line it ever printed.
    term.type('x');
    await sleep(800);
    const s = term.screen();
    if (process.env.SHOW_SCREEN) console.log(s);
    // (The first exchange is a memory now, so the expanded recall may quote it; the conversation itself is gone.)
    expect(s).not.toContain('you › BEFORE-CLEAR-MARKER');
    expect(s).not.toContain('created a new companion');
    expect(count(s, /^╭/)).toBe(1);
  }, 60_000);

  it('edits emoji by grapheme, pastes CJK and emoji in one piece, copies into tmux, exits cleanly at 40 columns', async () => {
    term = await open(40, 24);
    // One key at a time, as a person types. (tmux 3.3 draws 👍🏽 and ❤️ wider than Unicode says, as some
    // terminals do; string-width follows Unicode, so this test uses characters both agree on.)
    for (const k of ['ab🚀', 'BSpace', 'c👨‍👩‍👧', 'Left', 'BSpace', 'Enter']) {
      if (/^[A-Z]/.test(k)) term.keys(k);
      else term.type(k);
      await sleep(150);
    }
    await term.waitFor((x) => answered(x, 'you › ab'), 'the first reply');
    expect(llm.requests.filter((r) => r.route === 'chat').map((r) => userText(r.body))).toEqual(['ab👨‍👩‍👧']);

    execFileSync('tmux', ['-L', term.socket, 'set-buffer', '-b', 'p', '第一行 日本語 🚀\nsecond line e\u0301']);
    execFileSync('tmux', ['-L', term.socket, 'paste-buffer', '-p', '-b', 'p', '-t', 'main']);
    await term.waitFor(
      (x) => /second line (é|e\u0301)/.test(x) && x.includes('第一行'),
      'the pasted text in the input',
    );
    await sleep(300);
    expect(llm.requests.filter((r) => r.route === 'chat').map((r) => userText(r.body))).toEqual(['ab👨‍👩‍👧']);
    term.keys('Enter');
    const s = await term.waitFor(
      (x) => x.split('Progeny ›').length === 3 && x.includes('Ctrl+D quits') && / {6}second line (é|e\u0301)/.test(x),
      'the pasted message sent and answered',
    );
    for (const line of s.split('\n')) expect(stringWidth(line)).toBeLessThanOrEqual(40);

    term.type('/copy');
    term.keys('Enter');
    await term.waitFor((x) => /paste\s+buffer/.test(x), '/copy through tmux');
    const buffer = execFileSync('tmux', ['-L', term.socket, 'show-buffer'], { encoding: 'utf8' });
    expect(buffer).toContain('Zoë');

    term.type('/quit');
    term.keys('Enter');
    const end = await term.waitFor((x) => x.includes('[exited'), 'exit');
    expect(end.split('\n').filter((l) => l.includes('[exited'))).toEqual(['[exited 0]']);
  }, 60_000);
});
