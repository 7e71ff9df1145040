import { describe, expect, it } from 'vitest';
import { highlightLine } from './highlight.js';
import { renderMarkdown } from './markdown.js';
import { THEMES } from './theme.js';
import { visibleWidth, wrapSegments } from './wrap.js';

const plain = (src: string, width = 40, raw = false): string[] =>
  renderMarkdown(src, { width, theme: THEMES.none, raw });
// eslint-disable-next-line no-control-regex -- stripping colour escapes
const strip = (s: string): string => s.replace(/\x1b\[[0-9;]*m/g, '');

describe('wrapping', () => {
  it('wraps words to the width, breaks over-long words, and counts wide characters as two cells', () => {
    const lines = wrapSegments([{ text: 'a bb ccc dddd eeeee ' + 'x'.repeat(25) }], 10);
    expect(lines.every((l) => visibleWidth(l) <= 10)).toBe(true);
    expect(lines.join(' ').replace(/\s+/g, ' ')).toContain('a bb ccc');
    expect(visibleWidth('日本')).toBe(4);
    expect(wrapSegments([{ text: '日本語の文章です' }], 6).every((l) => visibleWidth(l) <= 6)).toBe(true);
  });

  it('never leaves a colour open across a line break', () => {
    const bold = (s: string): string => `\x1b[1m${s}\x1b[22m`;
    for (const line of wrapSegments([{ text: 'one two three four five six', paint: bold }], 9)) {
      expect(line.startsWith('\x1b[1m') && line.endsWith('\x1b[22m')).toBe(true);
    }
  });
});

describe('markdown', () => {
  const doc = [
    '# Title here',
    'Some **bold**, *italic*, ~~gone~~ and `code` with a [link](https://x.dev).',
    '',
    '- first item that is long enough to wrap in forty columns',
    '  - nested',
    '1. numbered',
    '',
    '> quoted words',
    '',
    '| name | value |',
    '|------|-------|',
    '| alpha | a long cell value that must wrap to fit |',
    '',
    '```ts',
    'const x = 42; // the answer',
    '```',
    '---',
  ].join('\n');

  it('renders headings, lists, quotes, tables, code and rules within the width', () => {
    const lines = plain(doc);
    const text = lines.map(strip).join('\n');
    expect(text).toContain('TITLE HERE');
    expect(text.replace(/\s+/g, ' ')).toContain('Some bold, italic, gone and code with a link (https://x.dev).');
    expect(text).toMatch(/^• first item that is long enough to wrap$/m);
    expect(text).toMatch(/^ {2}in forty columns$/m);
    expect(text).toMatch(/^ {2}• nested$/m);
    expect(text).toContain('1. numbered');
    expect(text).toContain('│ quoted words');
    expect(text).toMatch(/┌─+┬─+┐/);
    expect(text).toMatch(/│ alpha │ a long cell value that must +│\n│ +│ wrap to fit +│/);
    expect(text).toContain('  const x = 42; // the answer');
    expect(text).toContain('─'.repeat(40));
    for (const l of lines) expect(visibleWidth(l)).toBeLessThanOrEqual(40);
  });

  it('stays within narrow widths too', () => {
    for (const l of plain(doc, 24)) expect(visibleWidth(l)).toBeLessThanOrEqual(24);
  });

  it('styles with the theme: bold, italic and code colours (and none of the colours under NO_COLOR)', () => {
    const dark = renderMarkdown('**b** *i* `c`', { width: 40, theme: THEMES.dark }).join('');
    expect(dark).toContain('\x1b[1mb\x1b[22m');
    expect(dark).toContain('\x1b[3mi\x1b[23m');
    expect(dark).toContain('\x1b[93mc\x1b[39m');
    const none = renderMarkdown('**b** `c`', { width: 40, theme: THEMES.none }).join('');
    expect(none).toBe('\x1b[1mb\x1b[22m c');
  });

  it('shows an unclosed fence (a reply still streaming) as code', () => {
    expect(plain('```py\nprint("hi")').map(strip)).toEqual(['  py', '  print("hi")']);
  });

  it('raw mode shows the source, wrapped', () => {
    expect(plain('# T\n**b**', 40, true)).toEqual(['# T', '**b**']);
    expect(plain('x'.repeat(50), 40, true)).toEqual(['x'.repeat(40), 'x'.repeat(10)]);
  });

  it('highlights keywords, strings, numbers and comments', () => {
    const line = highlightLine('return "s" + 1 // c', 'js', THEMES.dark);
    expect(line).toContain('\x1b[95mreturn\x1b[39m');
    expect(line).toContain('\x1b[92m"s"\x1b[39m');
    expect(line).toContain('\x1b[96m1\x1b[39m');
    expect(line).toContain('\x1b[90m// c\x1b[39m');
    expect(strip(line)).toBe('return "s" + 1 // c');
    // "#" starts a comment in Python, not in JS.
    expect(highlightLine('x = 1 # note', 'python', THEMES.dark)).toContain('\x1b[90m# note');
  });
});
