/**
 * The chat TUI end to end: the built binary in a real terminal (tmux), against the LLM test double and OFFLINE.
 * Skipped (reported as such) when tmux is not installed; CI installs it.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startLlmTestDouble, type LlmTestDouble } from '../../src/testing/llm-double.js';
import { BIN, makeHome, type Home } from './cli-harness.js';
import { startTmux, tmuxAvailable, type TmuxSession } from './tmux-driver.js';

const hasTmux = tmuxAvailable();
const lines = (screen: string): string[] => screen.split('\n');
/** The composer's bottom border: its width follows the terminal's. */
const composerWidth = (screen: string): number =>
  Math.max(
    0,
    ...lines(screen)
      .filter((l) => l.startsWith('╰'))
      .map((l) => [...l.trimEnd()].length),
  );

let home: Home;
let term: TmuxSession | undefined;
afterEach(() => {
  term?.kill();
  term = undefined;
  home?.cleanup();
});

async function seed(h: Home): Promise<void> {
  const r = await h.run(['memory', 'add', 'My sister Maya lives in Lisbon and teaches violin']);
  expect(r.code).toBe(0);
}

describe.skipIf(!hasTmux)('chat TUI in a terminal, with a model (LLM test double)', () => {
  let llm: LlmTestDouble;
  beforeAll(async () => {
    // Slow enough to cancel mid-stream: 29 tokens × 60 ms.
    llm = await startLlmTestDouble({ fixture: 'greeting', tokenDelayMs: 60 });
  });
  afterAll(() => llm.close());

  it('start, stream a reply with recalled memories, cancel a stream, slash commands, resize, quit', async () => {
    home = makeHome({ PROGENY_LLM_PROVIDER: 'ollama', PROGENY_LLM_URL: llm.url, PROGENY_LLM_MODEL: 'llama3.2' });
    await seed(home);
    term = startTmux([process.execPath, BIN, 'chat'], home.env, { cols: 100, rows: 30 });

    await term.waitFor((s) => s.includes('╰') && /\bFULL\b/.test(s), 'the first frame and the FULL mode');

    term.type('How is Maya doing in Lisbon?');
    term.keys('Enter');
    let s = await term.waitFor(
      (x) => x.includes('how did the café visit with Zoë go?') && x.includes('tok/s'),
      'the streamed reply',
    );
    expect(s).toContain('you › How is Maya doing in Lisbon?');
    expect(s).toMatch(/⟲ recalled \d+ memor(y|ies).*Maya lives in Lisbon/);
    term.keys('C-o');
    s = await term.waitFor((x) => /^\s+\d\.\d\d My sister Maya lives in Lisbon/m.test(x), 'the expanded recall line');

    term.type('Tell me something else');
    term.keys('Enter');
    await term.waitFor(
      (x) => /\nHello again/.test(x.split('you › Tell me something else')[1] ?? ''),
      'the second reply streaming',
    );
    term.keys('C-c');
    s = await term.waitFor((x) => x.includes('(interrupted)'), 'the cancelled reply');
    expect(s).toContain('Ctrl+D quits');
    // The partial reply is kept, cut short of the full text.
    expect(s.split('you › Tell me something else')[1]).not.toContain('nervous about it');

    term.type('/state');
    term.keys('Enter');
    await term.waitFor((x) => x.includes('why (latest changes):'), '/state');
    term.type('/memory recent');
    term.keys('Enter');
    await term.waitFor((x) => /[0-9A-Z]{8} +\S+ +My sister Maya/.test(x), '/memory recent');
    term.type('/he');
    await term.waitFor((x) => x.includes('/heritage') && x.includes('/help'), 'completion menu');
    term.type('lp');
    term.keys('Enter');
    await term.waitFor((x) => x.includes('Commands:') && x.includes('Keys:'), '/help');

    // A model that answers garbage: the error shows inline with a hint, and the screen stays up.
    llm.failAlways({ nonJson: true }, 'chat');
    term.type('Are you still there?');
    term.keys('Enter');
    s = await term.waitFor(
      (x) => /✗ unexpected reply[\s\S]+?\nhint: /.test(x.split('you › Are you still there?')[1] ?? ''),
      'an inline error with a hint',
    );
    llm.failAlways(undefined);

    term.resize(60, 24);
    s = await term.waitFor(
      (x) => composerWidth(x.split('Keys:').pop() ?? '') === 60,
      'the composer re-laid out to 60 columns',
    );
    term.resize(40, 24);
    s = await term.waitFor((x) => composerWidth(x.split('Keys:').pop() ?? '') === 40, 'the composer at 40 columns');
    expect(s).toMatch(/FULL/);

    term.keys('C-d');
    s = await term.waitFor((x) => x.includes('[exited'), 'the app to exit');
    expect(s).toContain('[exited 0]');
    expect(s).not.toMatch(/at .*\.js:\d+/);
  }, 60_000);
});

describe.skipIf(!hasTmux)('chat TUI in a terminal, OFFLINE', () => {
  it('answers from memory, shows OFFLINE, and quits with /quit', async () => {
    home = makeHome();
    await seed(home);
    term = startTmux([process.execPath, BIN, 'chat'], home.env, { cols: 80, rows: 24 });
    await term.waitFor((s) => /\bOFFLINE\b/.test(s) && s.includes('╰'), 'the first frame in OFFLINE mode');
    term.type('where does Maya live?');
    term.keys('Enter');
    const s = await term.waitFor(
      (x) => x.includes('(offline: from memory)') && x.includes('recalled'),
      'the offline reply',
    );
    expect(s).toMatch(/\[offline\]/);
    expect(s).toContain('Lisbon');
    term.type('/sync');
    term.keys('Enter');
    await term.waitFor(
      (x) => x.includes('sync is not set up yet') && x.includes('progeny sync init'),
      '/sync before sync is set up',
    );
    term.type('/quit');
    term.keys('Enter');
    expect(await term.waitFor((x) => x.includes('[exited'), 'exit')).toContain('[exited 0]');
  }, 60_000);
});
