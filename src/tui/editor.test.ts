import type { Key } from 'ink';
import { describe, expect, it } from 'vitest';
import { editorKey, emptyEditor, type EditorResult, type EditorState } from './editor.js';

const K = (over: Partial<Key> = {}): Key => ({
  upArrow: false,
  downArrow: false,
  leftArrow: false,
  rightArrow: false,
  pageDown: false,
  pageUp: false,
  home: false,
  end: false,
  return: false,
  escape: false,
  ctrl: false,
  shift: false,
  tab: false,
  backspace: false,
  delete: false,
  meta: false,
  super: false,
  hyper: false,
  capsLock: false,
  numLock: false,
  ...over,
});

/** Feeds keys: strings are typed text, objects are [input, key]. */
function feed(
  steps: (string | [string, Partial<Key>])[],
  history: string[] = [],
  ed: EditorState = emptyEditor,
): EditorResult & { effects: EditorResult['effect'][] } {
  let r: EditorResult = { ed };
  const effects: EditorResult['effect'][] = [];
  for (const s of steps) {
    r = typeof s === 'string' ? editorKey(r.ed, s, K(), history) : editorKey(r.ed, s[0], K(s[1]), history);
    if (r.effect) effects.push(r.effect);
  }
  return { ...r, effects };
}

describe('composer editor', () => {
  it('types, moves the cursor, deletes, and submits on Enter', () => {
    const r = feed([
      'h',
      'e',
      'l',
      'o',
      ['', { leftArrow: true }],
      'l',
      ['', { end: true }],
      '!',
      ['', { backspace: true }],
      ['\r', { return: true }],
    ]);
    expect(r.effects).toEqual([{ type: 'submit', text: 'hello' }]);
    expect(r.ed).toEqual(emptyEditor);
  });

  it('new lines: Alt+Enter, Ctrl+J (a bare line feed) and backslash-Enter; Enter on blank text sends nothing', () => {
    const r = feed(['a', ['\r', { return: true, meta: true }], 'b', '\n', 'c', '\\', ['\r', { return: true }], 'd']);
    expect(r.ed.text).toBe('a\nb\nc\nd');
    expect(r.effects).toEqual([]);
    expect(feed([' ', ['\r', { return: true }]]).effects).toEqual([]);
  });

  it('a bracketed paste is inserted verbatim, newlines included, and never sent', () => {
    const r = feed(['x', '[200~', 'line1\rline2\r', 'line3', '[201~']);
    expect(r.ed.text).toBe('xline1\nline2\nline3');
    expect(r.ed.pasting).toBe(false);
    expect(r.effects).toEqual([]);
    // Without bracketed paste, several characters at once are still text, not a send.
    expect(feed(['one\rtwo']).ed.text).toBe('one\ntwo');
    // Typed text and Enter in one chunk (fast typing, tmux send-keys) is a send.
    expect(feed(['hello there\r']).effects).toEqual([{ type: 'submit', text: 'hello there' }]);
  });

  it('Up/Down browse the history from the first/last line and restore the draft', () => {
    const h = ['first', 'second'];
    const r1 = feed(['dr', ['', { upArrow: true }]], h);
    expect(r1.ed.text).toBe('second');
    const r2 = feed(
      [
        ['', { upArrow: true }],
        ['', { upArrow: true }],
      ],
      h,
      r1.ed,
    );
    expect(r2.ed.text).toBe('first');
    const r3 = feed(
      [
        ['', { downArrow: true }],
        ['', { downArrow: true }],
      ],
      h,
      r2.ed,
    );
    expect(r3.ed.text).toBe('dr');
    expect(r3.ed.histIndex).toBeNull();
  });

  it('Up/Down move between lines of a multi-line input before reaching the history', () => {
    const r = feed(['ab', '\n', 'cd', ['', { upArrow: true }]], ['old']);
    expect(r.ed.text).toBe('ab\ncd');
    expect(r.ed.cursor).toBe(2);
    expect(feed([['', { upArrow: true }]], ['old'], r.ed).ed.text).toBe('old');
  });

  it('Esc clears; Ctrl+U/K/W edit; Ctrl+A/E move', () => {
    expect(feed(['abc', ['', { escape: true }]]).ed.text).toBe('');
    expect(feed(['foo bar', ['w', { ctrl: true }]]).ed.text).toBe('foo ');
    expect(feed(['foo bar', ['a', { ctrl: true }], ['k', { ctrl: true }]]).ed.text).toBe('');
    expect(feed(['foo bar', ['u', { ctrl: true }]]).ed.text).toBe('');
    expect(feed(['foo', ['a', { ctrl: true }], ['e', { ctrl: true }], '!']).ed.text).toBe('foo!');
  });

  it('Ctrl+C interrupts (clearing the text), Ctrl+D exits on an empty line, Ctrl+O toggles the recall line', () => {
    expect(feed(['abc', ['c', { ctrl: true }]])).toMatchObject({
      ed: emptyEditor,
      effects: [{ type: 'interrupt', hadText: true }],
    });
    expect(feed([['c', { ctrl: true }]]).effects).toEqual([{ type: 'interrupt', hadText: false }]);
    expect(feed([['d', { ctrl: true }]]).effects).toEqual([{ type: 'exit' }]);
    expect(feed(['ab', ['', { leftArrow: true }], ['d', { ctrl: true }]])).toMatchObject({
      ed: { text: 'a' },
      effects: [],
    });
    expect(feed([['o', { ctrl: true }]]).effects).toEqual([{ type: 'toggleRecall' }]);
  });

  it('Tab completes slash commands', () => {
    expect(feed(['/hel', ['', { tab: true }]]).ed.text).toBe('/help ');
    expect(feed(['/h', ['', { tab: true }]]).ed.text).toBe('/he');
    // Ambiguous with nothing in common to add: the first match, then each Tab the next (issue 13, item 12).
    expect(feed(['/r', ['', { tab: true }]]).ed.text).toBe('/remember');
    expect(feed(['/r', ['', { tab: true }], ['', { tab: true }]]).ed.text).toBe('/retry');
    expect(feed(['/r', ['', { tab: true }], ['', { tab: true }], ['', { tab: true }]]).ed.text).toBe('/raw');
    expect(
      feed(['/r', ...Array.from({ length: 4 }, () => ['', { tab: true }] as [string, Partial<Key>])]).ed.text,
    ).toBe('/remember');
    expect(feed(['/rem', ['', { tab: true }]]).ed.text).toBe('/remember ');
  });
});

describe('grapheme-safe editing (issue 13, item 7)', () => {
  const hasLoneSurrogate = (s: string): boolean =>
    /[\uD800-\uDFFF]/u.test(s.replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g, ''));
  it('Backspace removes a whole emoji, family or accented letter; never half of one', () => {
    for (const g of ['🚀', '👍🏽', '👨‍👩‍👧', 'e\u0301', '🇵🇹']) {
      const r = feed(['ab' + g, ['', { backspace: true }]]);
      expect(r.ed.text).toBe('ab');
      expect(r.ed.cursor).toBe(2);
    }
  });
  it('Left, Right and Ctrl+D move and delete by grapheme', () => {
    const r = feed(['x👨‍👩‍👧y', ['', { leftArrow: true }], ['', { leftArrow: true }]]);
    expect(r.ed.cursor).toBe(1);
    const d = feed(['x👨‍👩‍👧y', ['', { leftArrow: true }], ['', { leftArrow: true }], ['d', { ctrl: true }]]);
    expect(d.ed.text).toBe('xy');
    const right = feed(['🚀a', ['', { home: true }], ['', { rightArrow: true }]]);
    expect(right.ed.cursor).toBe(2);
  });
  it('a lone surrogate that arrives (a broken paste) is replaced, so the submitted text is well formed', () => {
    const r = feed(['hi \uD83D there', ['', { return: true }]]);
    expect(r.effect).toEqual({ type: 'submit', text: 'hi \uFFFD there' });
    expect(hasLoneSurrogate((r.effect as { text: string }).text)).toBe(false);
  });
});

describe('Ctrl+R history search and Ctrl+X Ctrl+E', () => {
  const history = ['alpha one', 'beta two', 'alpha three'];
  it('finds the newest match, Ctrl+R goes further back, Enter takes it, Esc restores the draft', () => {
    const r = feed(['draft', ['r', { ctrl: true }], 'alpha'], history);
    expect(r.ed.search).toMatchObject({ query: 'alpha', index: 2 });
    const older = feed(
      ['draft', ['r', { ctrl: true }], 'alpha', ['r', { ctrl: true }], ['', { return: true }]],
      history,
    );
    expect(older.ed.text).toBe('alpha one');
    expect(older.effects).toEqual([]);
    const back = feed(['draft', ['r', { ctrl: true }], 'beta', ['', { escape: true }]], history);
    expect(back.ed.text).toBe('draft');
    expect(back.ed.search).toBeNull();
  });
  it('Ctrl+X then Ctrl+E asks for $EDITOR with the text; Ctrl+X then anything else does nothing', () => {
    expect(feed(['some text', ['x', { ctrl: true }], ['e', { ctrl: true }]]).effect).toEqual({
      type: 'external',
      text: 'some text',
    });
    const other = feed(['some text', ['x', { ctrl: true }], 'q']);
    expect(other.effect).toBeUndefined();
    expect(other.ed.text).toBe('some text');
  });
});
