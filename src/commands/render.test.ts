import { describe, expect, it } from 'vitest';
import { cell, renderView, tableNotes } from './render.js';

const plain = { style: (_s: unknown, t: string) => t, width: 60 };

describe('renderView', () => {
  it('aligns table columns and right-aligns numbers', () => {
    const text = renderView(
      {
        kind: 'table',
        columns: [
          { key: 'id', label: 'ID' },
          { key: 'n', label: 'N', align: 'right' },
          { key: 't', label: 'TEXT' },
        ],
        rows: [
          { id: 'a', n: 5, t: 'x' },
          { id: 'bbb', n: 12, t: 'y' },
        ],
      },
      plain,
    );
    expect(text.split('\n')).toEqual(['ID    N  TEXT', 'a     5  x', 'bbb  12  y']);
  });
  it('truncates the flexible column to the terminal width', () => {
    const text = renderView(
      {
        kind: 'table',
        columns: [
          { key: 'id', label: 'ID' },
          { key: 't', label: 'TEXT', flex: true },
        ],
        rows: [{ id: 'a', t: 'w'.repeat(200) }],
      },
      plain,
    );
    for (const line of text.split('\n')) expect([...line].length).toBeLessThanOrEqual(60);
    expect(text).toContain('…');
  });
  it('shows the empty message and fields aligned', () => {
    expect(renderView({ kind: 'table', columns: [], rows: [], empty: 'none here' }, plain)).toBe('none here');
    expect(
      renderView(
        {
          kind: 'fields',
          fields: [
            ['a', 1],
            ['long', 'x\ny'],
          ],
        },
        plain,
      ),
    ).toBe('a     1\nlong  x\n      y');
  });
  it('off a terminal: tab-separated, every cell whole, footer and empty message left to stderr notes', () => {
    const view = {
      kind: 'table' as const,
      columns: [
        { key: 'id', label: 'ID' },
        { key: 't', label: 'TEXT', flex: true },
      ],
      rows: [{ id: 'a', t: `${'w'.repeat(200)}\tend` }],
      footer: 'more: --cursor X',
    };
    expect(renderView(view, { ...plain, tsv: true })).toBe(`ID\tTEXT\na\t${'w'.repeat(200)} end`);
    expect(tableNotes(view)).toEqual(['more: --cursor X']);
    const empty = { kind: 'table' as const, columns: view.columns, rows: [], empty: 'none here' };
    expect(renderView(empty, { ...plain, tsv: true })).toBe('');
    expect(tableNotes({ kind: 'stack', views: [empty] })).toEqual(['none here']);
  });
  it('formats cells', () => {
    expect(cell(null)).toBe('–');
    expect(cell(0.12345)).toBe('0.123');
    expect(cell(true)).toBe('yes');
    expect(cell(['a', 'b'])).toBe('a, b');
    expect(cell('two\nlines')).toBe('two ⏎ lines');
  });
});
