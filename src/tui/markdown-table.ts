/** Markdown tables: columns sized to their content, shrunk to fit the width, cells wrapped (never cut). */
import { parseInline } from './markdown-inline.js';
import type { Theme } from './theme.js';
import { visibleWidth, wrapSegments } from './wrap.js';

const SEPARATOR = /^\s*\|?\s*:?-{1,}:?\s*(\|\s*:?-{1,}:?\s*)*\|?\s*$/;

export function isTableStart(lines: string[], i: number): boolean {
  const head = lines[i] ?? '';
  return head.trim().startsWith('|') && SEPARATOR.test(lines[i + 1] ?? '') && (lines[i + 1] ?? '').includes('-');
}

const cells = (row: string): string[] =>
  row
    .trim()
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split(/(?<!\\)\|/)
    .map((c) => c.trim().replace(/\\\|/g, '|'));

/** Shrinks the widest columns first until the row fits. */
function fitWidths(natural: number[], width: number): number[] {
  const w = [...natural];
  const budget = width - (3 * w.length + 1);
  while (w.reduce((a, b) => a + b, 0) > budget) {
    const max = Math.max(...w);
    if (max <= 3) break;
    w[w.indexOf(max)] = max - 1;
  }
  return w;
}

export function renderTable(rows: string[], width: number, theme: Theme): string[] {
  const parsed = rows.filter((_, i) => i !== 1).map(cells);
  const ncol = Math.max(...parsed.map((r) => r.length));
  const natural = Array.from({ length: ncol }, (_, c) => Math.max(1, ...parsed.map((r) => visibleWidth(r[c] ?? ''))));
  const widths = fitWidths(natural, width);
  const border = (l: string, m: string, r: string): string =>
    theme.dim(l + widths.map((w) => '─'.repeat(w + 2)).join(m) + r);
  const out: string[] = [border('┌', '┬', '┐')];
  parsed.forEach((row, r) => {
    const wrapped = widths.map((w, c) =>
      wrapSegments(parseInline(row[c] ?? '', theme, r === 0 ? theme.bold : undefined), w).map(
        (l) => l + ' '.repeat(Math.max(0, w - visibleWidth(l))),
      ),
    );
    const height = Math.max(...wrapped.map((c) => c.length));
    for (let k = 0; k < height; k++) {
      out.push(
        theme.dim('│ ') +
          wrapped.map((c, ci) => c[k] ?? ' '.repeat(widths[ci] ?? 0)).join(theme.dim(' │ ')) +
          theme.dim(' │'),
      );
    }
    if (r === 0) out.push(border('├', '┼', '┤'));
  });
  out.push(border('└', '┴', '┘'));
  return out;
}
