import { beforeAll, describe, expect, it } from 'vitest';
import { highlightCode, loadHighlighter } from './highlight.js';
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
    expect(text).toContain('Title here');
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
    expect(plain('```py\nprint("hi")').map(strip)).toEqual(['  [1] py', '  print("hi")']);
  });

  it('raw mode shows the source, wrapped', () => {
    expect(plain('# T\n**b**', 40, true)).toEqual(['# T', '**b**']);
    expect(plain('x'.repeat(50), 40, true)).toEqual(['x'.repeat(40), 'x'.repeat(10)]);
  });

  it('highlights keywords, strings, numbers and comments', async () => {
    await loadHighlighter();
    const [line = ''] = highlightCode('return "s" + 1 // c', 'js', THEMES.dark);
    expect(line).toContain('\x1b[95mreturn\x1b[39m');
    expect(line).toContain('\x1b[92m"s"\x1b[39m');
    expect(line).toContain('\x1b[96m1\x1b[39m');
    expect(line).toContain('\x1b[90m// c\x1b[39m');
    expect(strip(line)).toBe('return "s" + 1 // c');
    // "#" starts a comment in Python, not in JS.
    expect(highlightCode('x = 1 # note', 'python', THEMES.dark)[0]).toContain('\x1b[90m# note');
  });
});

const COMMENT = '\x1b[90m';
const KEYWORD = '\x1b[95m';

describe('code highlighting colours what the language says (issue 13, item 3)', () => {
  beforeAll(() => loadHighlighter());
  const code = (src: string, lang: string, width = 80): string[] =>
    renderMarkdown('```' + lang + '\n' + src + '\n```', { width, theme: THEMES.dark });

  it('Python floor division is an operator, not a comment', () => {
    const lines = code('total = n // 2\nprint(total)', 'python');
    expect(lines.join('\n')).not.toContain(COMMENT);
  });

  it('a URL in a shell command is not a comment; the real comment is', () => {
    const [, line = ''] = code('curl https://example.com/x?a=1 # fetch it', 'bash');
    expect(line).not.toContain(`${COMMENT}//example`);
    expect(line).toContain(`${COMMENT}# fetch it`);
  });

  it('JavaScript highlighting goes on after i-- and a #private field', () => {
    const lines = code('for (let i = 3; i > 0; i--) { if (i) break; }\nclass A { #secret = 1; static x = 2 }', 'js');
    expect(lines[1]).toContain(`${KEYWORD}if`);
    expect(lines[1]).toContain(`${KEYWORD}break`);
    expect(lines[2]).toContain(`${KEYWORD}static`);
  });

  it('a comment wrapped at the width keeps its colour on the next line, and a block comment on every line', () => {
    const lines = code('x = 1  # ' + 'a long comment that goes past the width '.repeat(3), 'python', 40);
    const cont = lines.filter((l) => l.includes('↪'));
    expect(cont.length).toBeGreaterThan(0);
    for (const l of cont) expect(l).toContain(COMMENT);
    const block = code('/* first\n   second */\nlet y = 2;', 'js');
    expect(block[2]).toContain(COMMENT);
    expect(block[3]).not.toContain(COMMENT);
  });
});

describe('Markdown correctness (issue 13, item 8)', () => {
  const text = (src: string, width = 60): string => plain(src, width).map(strip).join('\n');

  it('headings keep their case, inline code included', () => {
    expect(text('## Run `npm ci` first')).toBe('Run npm ci first');
  });

  it('backslash escapes show the character, not the backslash or emphasis', () => {
    expect(text('a \\*literal\\* star and 2 \\_under\\_')).toBe('a *literal* star and 2 _under_');
  });

  it('***x*** is bold italic, and nested emphasis nests', () => {
    const out = plain('***both*** and **bold _inner_ end**', 60).join('');
    expect(strip(out)).toBe('both and bold inner end');
    const [bold, italic] = ['\x1b[1m', '\x1b[3m'];
    expect([italic + bold + 'both', bold + italic + 'both'].some((x) => out.includes(x))).toBe(true);
    expect(out).toContain(bold + italic + 'inner');
  });

  it('a hard line break (two spaces or a backslash) breaks the line', () => {
    expect(text('first  \nsecond\\\nthird')).toBe('first\nsecond\nthird');
  });

  it('setext headings are headings', () => {
    const out = plain('Title\n=====\n\nSub\n---', 60);
    expect(out.map(strip)).toEqual(['Title', '', 'Sub']);
    expect(out[0]).toContain('\x1b[1m');
  });

  it('task lists show their boxes', () => {
    expect(text('- [ ] todo\n- [x] done')).toBe('• ☐ todo\n• ☑ done');
  });

  it('table alignment from the separator row', () => {
    const lines = plain(
      '| left | right | mid |\n|:--|--:|:-:|\n| a | b | c |\n| long one | long two | long three |',
      60,
    ).map(strip);
    const row = lines.find((l) => l.includes(' a ')) ?? '';
    const cells = row.split('│').slice(1, -1);
    expect(cells[0]).toMatch(/^ a +$/);
    expect(cells[1]).toMatch(/^ +b $/);
    expect(cells[2]).toMatch(/^ +c +$/);
  });

  it('HTML entities are shown as characters', () => {
    expect(text('Tom &amp; Jerry &lt;3')).toBe('Tom & Jerry <3');
  });
});
