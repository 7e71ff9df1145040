/**
 * Markdown for replies, rendered to terminal lines no wider than `width`. Parsing is marked's lexer (CommonMark +
 * GFM: escapes, nested emphasis, setext headings, hard breaks, task lists, aligned tables), so the cases a
 * hand-written parser gets wrong are the library's job; this file only lays the tokens out. Works on partial text
 * too: an unclosed fence while a reply streams is code. `raw` shows the source, cut to the width.
 */
import { Lexer, type Token, type Tokens } from 'marked';
import { highlightCode } from './highlight.js';
import { inlineSegments } from './markdown-inline.js';
import { renderTable } from './markdown-table.js';
import type { Theme } from './theme.js';
import { breakLine, visibleWidth, wrapPlain, wrapSegments } from './wrap.js';

export interface MarkdownOptions {
  width: number;
  theme: Theme;
  raw?: boolean;
}

/** Marks the continuation of a code line cut at the width. */
export const CODE_CONTINUATION = '↪ ';

/** A code block: its number (what /copy code N takes) and language, then the lines, cut at the width with a marker. */
function codeBlock(t: Tokens.Code, n: number, width: number, theme: Theme): string[] {
  const out: string[] = [];
  const lang = (t.lang ?? '').split(/\s/)[0] ?? '';
  out.push(theme.dim(`  [${n}]${lang ? ` ${lang}` : ''}`));
  for (const line of highlightCode(t.text.replace(/\t/g, '  '), lang, theme)) {
    breakLine(line, width - 2).forEach((piece, i) => out.push((i ? theme.dim(CODE_CONTINUATION) : '  ') + piece));
  }
  return out;
}

function heading(t: Tokens.Heading, width: number, theme: Theme): string[] {
  const paint =
    t.depth === 1 ? (s: string) => theme.underline(theme.heading(s)) : t.depth === 2 ? theme.heading : theme.bold;
  return wrapSegments(inlineSegments(t.tokens, theme, paint), width);
}

function list(t: Tokens.List, width: number, ctx: Ctx): string[] {
  const out: string[] = [];
  const start = typeof t.start === 'number' ? t.start : 1;
  t.items.forEach((item, i) => {
    const bullet = t.ordered ? `${start + i}. ` : '• ';
    const marker = item.task ? `${bullet}${item.checked ? '☑' : '☐'} ` : bullet;
    const hang = ' '.repeat(visibleWidth(marker));
    const body = blocks(
      item.tokens.filter((x) => x.type !== 'checkbox'),
      width - hang.length,
      ctx,
    );
    body.forEach((l, k) => out.push((k ? hang : marker) + l));
    if (!body.length) out.push(marker.trimEnd());
  });
  return out;
}

interface Ctx {
  theme: Theme;
  /** Code blocks so far, for their numbers. */
  code: number;
}

function block(t: Token, width: number, ctx: Ctx): string[] {
  const { theme } = ctx;
  switch (t.type) {
    case 'space':
      return [''];
    case 'heading':
      return heading(t as Tokens.Heading, width, theme);
    case 'paragraph':
      return wrapSegments(inlineSegments(t.tokens, theme), width);
    case 'text':
      return wrapSegments(
        inlineSegments(t.tokens ?? [{ type: 'text', raw: t.raw, text: t.text as string }], theme),
        width,
      );
    case 'code':
      return codeBlock(t as Tokens.Code, ++ctx.code, width, theme);
    case 'blockquote': {
      const bar = theme.quote('│ ');
      return blocks(t.tokens ?? [], width - 2, ctx).map((l) => bar + theme.quote(l));
    }
    case 'list':
      return list(t as Tokens.List, width, ctx);
    case 'table':
      return renderTable(t as Tokens.Table, width, theme);
    case 'hr':
      return [theme.dim('─'.repeat(Math.min(width, 40)))];
    case 'def':
      return [];
    default:
      return wrapPlain(t.raw.replace(/\n+$/, ''), width);
  }
}

function blocks(tokens: readonly Token[], width: number, ctx: Ctx): string[] {
  const out: string[] = [];
  for (const t of tokens) {
    for (const line of block(t, Math.max(4, width), ctx)) {
      // One blank line between blocks at most, none at the start.
      if (line === '' && (!out.length || out[out.length - 1] === '')) continue;
      out.push(line);
    }
  }
  while (out.length && out[out.length - 1] === '') out.pop();
  return out;
}

export function renderMarkdown(src: string, o: MarkdownOptions): string[] {
  const width = Math.max(10, o.width);
  const text = src.replace(/\r\n?/g, '\n');
  if (o.raw) return text.split('\n').flatMap((l) => breakLine(l.replace(/\t/g, '  '), width));
  return blocks(new Lexer({ gfm: true }).lex(text), width, { theme: o.theme, code: 0 });
}
