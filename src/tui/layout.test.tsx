/**
 * Layout in terminal cells (issue 13, items 1, 7 and 9): every line of every frame fits the terminal at 40, 60 and
 * 100 columns, measured with string-width; long user messages wrap under their label; wide characters, emoji and
 * combining marks keep table borders aligned.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import stringWidth from 'string-width';
import { afterEach, describe, expect, it } from 'vitest';
import { fakeEngine, memory, type FakeTurn } from '../testing/tui-fake-engine.js';
import { chatAppElement, typeLine } from '../testing/tui-chat-app.js';
import { frameLines, overflowing, renderTerm } from '../testing/tui-term.js';
import { until } from '../testing/tui-wait.js';
import { renderMarkdown } from './markdown.js';
import { THEMES } from './theme.js';

let dir = '';
afterEach(() => dir && rmSync(dir, { recursive: true, force: true }));

function chatAt(columns: number, o: { turns?: FakeTurn[]; rows?: number } = {}) {
  dir = mkdtempSync(join(tmpdir(), 'progeny-layout-'));
  const engine = fakeEngine({ turns: o.turns ?? [], home: dir, memories: [memory('0123456789ab', 'Maya in Lisbon')] });
  const t = renderTerm(chatAppElement(engine, dir, { theme: THEMES.dark }).element, {
    columns,
    rows: o.rows ?? 30,
  });
  const send = (text: string): Promise<void> => typeLine(t.stdin, text);
  const lines = (): string[] => frameLines(t.lastFrame());
  return { ...t, engine, send, lines };
}

const LONG =
  'I have been thinking about moving to Lisbon next spring because my sister Maya teaches violin there, and ' +
  'the light in the afternoons is extraordinary; what should I consider before making such a decision, ' +
  'supercalifragilisticexpialidocious-words-included?';

describe('a long user message', () => {
  for (const columns of [40, 60, 100]) {
    it(`wraps under "you › " within ${columns} columns, every word intact and in order`, async () => {
      const c = chatAt(columns, { turns: [{ tokens: ['ok'] }] });
      await c.send(LONG);
      await until(() => c.lines().some((l) => l.startsWith('Nova ›')));
      expect(overflowing(c.lastFrame(), columns)).toEqual([]);
      const lines = c.lines();
      const start = lines.findIndex((l) => l.startsWith('you › '));
      expect(lines[start]).toMatch(/^you › I have/);
      const body: string[] = [];
      for (let i = start; i < lines.length && lines[i]?.trim(); i++) {
        if (i > start) expect(lines[i]).toMatch(/^ {6}\S/); // a hanging indent under the text, no stray fragments
        body.push((lines[i] ?? '').slice(i === start ? 6 : 0).trim());
      }
      const joined = body.join(' ');
      // Wrapped at spaces; only a word longer than the line (at 40 columns) is cut, and nothing is lost.
      if (columns >= 60) expect(joined.split(/\s+/)).toEqual(LONG.split(/\s+/));
      else expect(joined.replace(/\s+/g, '')).toBe(LONG.replace(/\s+/g, ''));
      c.unmount();
    });
  }
});

describe('40 columns', () => {
  it('/help fits, with no word split across lines', async () => {
    const c = chatAt(40);
    await c.send('/help');
    await until(() => c.lines().some((l) => l.includes('Keys')));
    expect(overflowing(c.lastFrame(), 40)).toEqual([]);
    const text = c.lines().join('\n');
    for (const w of ['/memory', 'forget', 'remembers', 'Ctrl+W', 'history', '/export']) expect(text).toContain(w);
    c.unmount();
  });

  it('a wide table stays a grid: every row the same width, borders aligned', () => {
    const md = [
      '| package | version | what it does for the project |',
      '|---|---|---|',
      '| string-width | 8.3.0 | measures strings in terminal cells, emoji included |',
      '| wrap-ansi | 10.0.2 | wraps styled text without leaving a colour open |',
    ].join('\n');
    const lines = renderMarkdown(md, { width: 40, theme: THEMES.dark });
    const plain = lines.map((l) => frameLines(l)[0] ?? '');
    for (const l of plain) expect(stringWidth(l)).toBeLessThanOrEqual(40);
    expect(new Set(plain.map((l) => stringWidth(l))).size).toBe(1);
    const cuts = (l: string): number[] => borderColumns(l);
    const top = cuts(plain[0] ?? '');
    for (const l of plain) expect(cuts(l)).toEqual(top);
  });

  it('a table too wide for the grid becomes one record per row, every cell kept', () => {
    const md = [
      '| name | kind | size | owner | created | status |',
      '|---|---|---|---|---|---|',
      '| report-final.pdf | document | 2.4 MB | maya | 2026-01-02 | shared |',
    ].join('\n');
    const plain = renderMarkdown(md, { width: 40, theme: THEMES.dark }).map((l) => frameLines(l)[0] ?? '');
    for (const l of plain) expect(stringWidth(l)).toBeLessThanOrEqual(40);
    const text = plain.join('\n');
    for (const w of ['report-final.pdf', 'document', '2.4 MB', '2026-01-02', 'shared', 'owner'])
      expect(text).toContain(w);
  });

  it('a long code line wraps with a continuation marker instead of a silent break', () => {
    const md = '```js\nconst answer = computeTheAnswerToLifeTheUniverseAndEverything(42, { verbose: true });\n```';
    const lines = renderMarkdown(md, { width: 40, theme: THEMES.none }).map((l) => frameLines(l)[0] ?? '');
    for (const l of lines) expect(stringWidth(l)).toBeLessThanOrEqual(40);
    const code = lines.filter((l) => l.includes('answer') || l.includes('verbose') || l.includes('↪'));
    expect(code.length).toBeGreaterThan(1);
    expect(code.slice(1).every((l) => l.includes('↪'))).toBe(true);
  });
});

/** The cell columns at which a table line has a border character. */
function borderColumns(line: string): number[] {
  const out: number[] = [];
  let col = 0;
  for (const { segment } of new Intl.Segmenter().segment(line)) {
    if ('│┌┬┐├┼┤└┴┘'.includes(segment)) out.push(col);
    col += stringWidth(segment);
  }
  return out;
}

describe('wide characters, emoji and combining marks', () => {
  it('keep Markdown table borders aligned (display width, not string length)', () => {
    const md = [
      '| who | note |',
      '|---|---|',
      '| 🚀 rocket | 👍🏽 fine |',
      '| 👨‍👩‍👧 family | 日本語のテキスト |',
      '| café (e\u0301) | naïve |',
    ].join('\n');
    const plain = renderMarkdown(md, { width: 60, theme: THEMES.dark }).map((l) => frameLines(l)[0] ?? '');
    const top = borderColumns(plain[0] ?? '');
    expect(top.length).toBe(3);
    for (const l of plain) {
      expect(stringWidth(l)).toBe(stringWidth(plain[0] ?? ''));
      expect(borderColumns(l)).toEqual(top);
    }
  });

  it('table columns are sized by what is shown, not by the Markdown markup', () => {
    const md = ['| a | b |', '|---|---|', '| **bold** `code` ~~old~~ | `x` |'].join('\n');
    const plain = renderMarkdown(md, { width: 100, theme: THEMES.none }).map((l) => frameLines(l)[0] ?? '');
    const row = plain.find((l) => l.includes('bold')) ?? '';
    // The cell shows "bold code old": no markup, and the column is no wider than that text.
    expect(row).not.toContain('**');
    const cell = (row.split('│')[1] ?? '').trim();
    expect(cell).toBe('bold code old');
    expect(stringWidth(row.split('│')[1] ?? '')).toBe(stringWidth(cell) + 2);
  });
});
