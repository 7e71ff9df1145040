/**
 * Declarative views and their text rendering: aligned tables, label/value fields, plain text. On a terminal, tables
 * are aligned and cut to its width; elsewhere (a pipe, a file) they are tab-separated: a header line, then one line per
 * row with every cell whole, so `cut -f` and `awk -F'\t'` get all the information (`tail -n +2` skips the header).
 */
import type { styleText } from 'node:util';

type Style = Parameters<typeof styleText>[0];

export interface Column {
  key: string;
  label: string;
  align?: 'left' | 'right';
  /** Truncate longer cells with an ellipsis (the flexible column is the one with `flex`). */
  flex?: boolean;
  format?: (value: unknown, row: Record<string, unknown>) => string;
}

export type View =
  | { kind: 'text'; text: string }
  | { kind: 'table'; columns: Column[]; rows: Record<string, unknown>[]; empty?: string; footer?: string }
  | { kind: 'fields'; title?: string; fields: [string, unknown][] }
  | { kind: 'stack'; views: View[] }
  | { kind: 'none' };

export interface RenderOptions {
  style: (s: Style, text: string) => string;
  width: number;
  /** Tab-separated tables (stdout is not a terminal): full cells; footers and empty messages go to tableNotes. */
  tsv?: boolean;
}

export function cell(value: unknown): string {
  if (value === null || value === undefined) return '–';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : value.toFixed(3);
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (Array.isArray(value)) return value.map(cell).join(', ');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value).replace(/\s*\n\s*/g, ' ⏎ ');
}

const truncate = (s: string, n: number): string =>
  [...s].length <= n ? s : `${[...s].slice(0, Math.max(1, n - 1)).join('')}…`;
const visible = (s: string): number => [...s].length;

/** A cell as one TSV field: tabs and line breaks would split it, so they become spaces. */
const field = (s: string): string => s.replace(/[\t\r\n]+/g, ' ');

function renderTable(v: Extract<View, { kind: 'table' }>, o: RenderOptions): string {
  const text = v.rows.map((r) => v.columns.map((c) => (c.format ? c.format(r[c.key], r) : cell(r[c.key]))));
  if (o.tsv && !v.rows.length) return '';
  if (o.tsv) return [v.columns.map((c) => c.label), ...text].map((cells) => cells.map(field).join('\t')).join('\n');
  if (!v.rows.length) return o.style('dim', v.empty ?? '(nothing)');
  const widths = v.columns.map((c, i) => Math.max(visible(c.label), ...text.map((t) => visible(t[i] as string))));
  const total = widths.reduce((a, b) => a + b, 0) + 2 * (widths.length - 1);
  const flex = v.columns.findIndex((c) => c.flex);
  if (flex >= 0 && total > o.width) widths[flex] = Math.max(12, (widths[flex] as number) - (total - o.width));
  const line = (cells: string[]): string =>
    cells
      .map((s, i) => {
        const w = widths[i] as number;
        const t = truncate(s, w);
        const pad = ' '.repeat(Math.max(0, w - visible(t)));
        return v.columns[i]?.align === 'right' ? pad + t : i === cells.length - 1 ? t : t + pad;
      })
      .join('  ');
  const out = [o.style('bold', line(v.columns.map((c) => c.label))), ...text.map(line)];
  if (v.footer) out.push(o.style('dim', v.footer));
  return out.join('\n');
}

function renderFields(v: Extract<View, { kind: 'fields' }>, o: RenderOptions): string {
  const w = Math.max(0, ...v.fields.map(([k]) => visible(k)));
  const lines = v.fields.map(([k, val]) => {
    const text = typeof val === 'string' ? val : cell(val);
    const pad = ' '.repeat(w + 2);
    return `${o.style('dim', k.padEnd(w))}  ${text.split('\n').join(`\n${pad}`)}`;
  });
  return [...(v.title ? [o.style('bold', v.title)] : []), ...lines].join('\n');
}

/** What a TSV rendering leaves out of stdout (footers, empty-table messages), for stderr. */
export function tableNotes(v: View): string[] {
  if (v.kind === 'stack') return v.views.flatMap(tableNotes);
  if (v.kind !== 'table') return [];
  return [...(v.rows.length ? [] : [v.empty ?? '(nothing)']), ...(v.footer ? [v.footer] : [])];
}

export function renderView(v: View, o: RenderOptions): string {
  switch (v.kind) {
    case 'text':
      return v.text;
    case 'table':
      return renderTable(v, o);
    case 'fields':
      return renderFields(v, o);
    case 'stack':
      return v.views
        .map((x) => renderView(x, o))
        .filter(Boolean)
        .join('\n\n');
    default:
      return '';
  }
}
