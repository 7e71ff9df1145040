/**
 * Markdown for replies, rendered to terminal lines no wider than `width`: headings, emphasis, lists, block quotes,
 * inline and fenced code (highlighted), tables and rules. Works on partial text too (an unclosed fence while a reply
 * streams is shown as code). `raw` shows the source, wrapped.
 */
import { highlightLine } from './highlight.js';
import { parseInline } from './markdown-inline.js';
import type { Theme } from './theme.js';
import { breakLine, visibleWidth, wrapSegments } from './wrap.js';
import { renderTable, isTableStart } from './markdown-table.js';

const FENCE = /^\s*(```+|~~~+)\s*([\w+#.-]*)/;
const HEADING = /^(#{1,6})\s+(.*?)\s*#*\s*$/;
const LIST = /^(\s*)([-*+]|\d{1,9}[.)])\s+(.*)$/;
const QUOTE = /^\s*>\s?(.*)$/;
const RULE = /^\s*([-*_])(\s*\1){2,}\s*$/;

export interface MarkdownOptions {
  width: number;
  theme: Theme;
  raw?: boolean;
}

export function renderMarkdown(src: string, o: MarkdownOptions): string[] {
  const width = Math.max(10, o.width);
  const { theme } = o;
  const lines = src.replace(/\r\n?/g, '\n').split('\n');
  if (o.raw) return lines.flatMap((l) => breakLine(l, width));
  const out: string[] = [];
  let para: string[] = [];
  const flushPara = (): void => {
    if (para.length) out.push(...wrapSegments(parseInline(para.join(' '), theme), width));
    para = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const fence = FENCE.exec(line);
    if (fence) {
      flushPara();
      const marker = fence[1] ?? '```';
      const lang = fence[2] ?? '';
      if (lang) out.push(theme.dim(`  ${lang}`));
      for (i++; i < lines.length && !(lines[i] ?? '').trim().startsWith(marker); i++) {
        for (const piece of breakLine((lines[i] ?? '').replace(/\t/g, '  '), width - 2))
          out.push(`  ${highlightLine(piece, lang, theme)}`);
      }
      continue;
    }
    if (!line.trim()) {
      flushPara();
      if (out.length && out[out.length - 1] !== '') out.push('');
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading) {
      flushPara();
      const level = heading[1]?.length ?? 1;
      const text = heading[2] ?? '';
      out.push(...wrapSegments(parseInline(level <= 2 ? text.toUpperCase() : text, theme, theme.heading), width));
      continue;
    }
    if (RULE.test(line)) {
      flushPara();
      out.push(theme.dim('─'.repeat(Math.min(width, 40))));
      continue;
    }
    if (isTableStart(lines, i)) {
      flushPara();
      const rows: string[] = [];
      while (i < lines.length && (lines[i] ?? '').trim().startsWith('|')) rows.push(lines[i++] ?? '');
      i--;
      out.push(...renderTable(rows, width, theme));
      continue;
    }
    const list = LIST.exec(line);
    if (list) {
      flushPara();
      const depth = Math.floor((list[1]?.length ?? 0) / 2);
      const marker = /\d/.test(list[2] ?? '') ? `${list[2]} ` : '• ';
      const indent = '  '.repeat(depth);
      out.push(
        ...wrapSegments(
          parseInline(list[3] ?? '', theme),
          width,
          indent + marker,
          indent + ' '.repeat(visibleWidth(marker)),
        ),
      );
      continue;
    }
    const quote = QUOTE.exec(line);
    if (quote) {
      flushPara();
      const bar = theme.quote('│ ');
      out.push(...wrapSegments(parseInline(quote[1] ?? '', theme, theme.quote), width, bar, bar));
      continue;
    }
    para.push(line.trim());
  }
  flushPara();
  while (out.length && out[out.length - 1] === '') out.pop();
  return out;
}
