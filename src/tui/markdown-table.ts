/**
 * Markdown tables: columns sized to what is shown (not the markup), aligned as the separator row says, shrunk to fit
 * the width with cells wrapped (never cut). A table with too many columns for the width becomes one record per row
 * ("header: value" lines), which stays readable at 40 columns where a grid cannot.
 */
import type { Tokens } from 'marked';
import { inlineSegments } from './markdown-inline.js';
import type { Theme } from './theme.js';
import { visibleWidth, wrapSegments, wrapStyled, type Segment } from './wrap.js';

type Align = 'left' | 'right' | 'center' | null;
const MIN_COLUMN = 4;

const styled = (segs: Segment[]): string => segs.map((s) => (s.paint ? s.paint(s.text) : s.text)).join('');

/** Shrinks the widest columns first until the row fits; null when even the narrowest grid does not. */
function fitWidths(natural: number[], width: number): number[] | null {
  const budget = width - (3 * natural.length + 1);
  if (budget < natural.length * MIN_COLUMN) return null;
  const w = [...natural];
  while (w.reduce((a, b) => a + b, 0) > budget) {
    const max = Math.max(...w);
    w[w.indexOf(max)] = max - 1;
  }
  return w;
}

function pad(line: string, w: number, align: Align): string {
  const gap = Math.max(0, w - visibleWidth(line));
  if (align === 'right') return ' '.repeat(gap) + line;
  if (align === 'center') return ' '.repeat(Math.floor(gap / 2)) + line + ' '.repeat(Math.ceil(gap / 2));
  return line + ' '.repeat(gap);
}

function records(header: Segment[][], rows: Segment[][][], width: number, theme: Theme): string[] {
  const out: string[] = [];
  rows.forEach((row, r) => {
    out.push(theme.dim(`── ${r + 1} ${'─'.repeat(Math.max(0, Math.min(width, 40) - 4 - String(r + 1).length))}`));
    header.forEach((h, c) => {
      const label = styled(h.map((s) => ({ ...s, paint: theme.bold })));
      out.push(...wrapStyled(`${label}: ${styled(row[c] ?? [])}`, width, '', '  '));
    });
  });
  return out;
}

export function renderTable(t: Tokens.Table, width: number, theme: Theme): string[] {
  const header = t.header.map((c) => inlineSegments(c.tokens, theme));
  const rows = t.rows.map((r) => r.map((c) => inlineSegments(c.tokens, theme)));
  const all = [header, ...rows];
  const ncol = header.length;
  const natural = Array.from({ length: ncol }, (_, c) =>
    Math.max(1, ...all.map((r) => Math.max(...wrapSegments(r[c] ?? [], 1_000).map(visibleWidth)))),
  );
  const widths = fitWidths(natural, width);
  if (!widths) return records(header, rows, width, theme);
  const border = (l: string, m: string, r: string): string =>
    theme.dim(l + widths.map((w) => '─'.repeat(w + 2)).join(m) + r);
  const out: string[] = [border('┌', '┬', '┐')];
  all.forEach((row, r) => {
    const cells = widths.map((w, c) =>
      wrapSegments(
        r === 0 ? (row[c] ?? []).map((s) => ({ ...s, paint: compose(s.paint, theme.bold) })) : (row[c] ?? []),
        w,
      ).map((l) => pad(l, w, t.align[c] ?? null)),
    );
    const height = Math.max(...cells.map((c) => c.length));
    for (let k = 0; k < height; k++)
      out.push(
        theme.dim('│ ') +
          cells.map((c, ci) => c[k] ?? ' '.repeat(widths[ci] ?? 0)).join(theme.dim(' │ ')) +
          theme.dim(' │'),
      );
    if (r === 0) out.push(border('├', '┼', '┤'));
  });
  out.push(border('└', '┴', '┘'));
  return out;
}

const compose =
  (inner: ((s: string) => string) | undefined, outer: (s: string) => string) =>
  (s: string): string =>
    outer(inner ? inner(s) : s);
