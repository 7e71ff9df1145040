import { describe, expect, it } from 'vitest';
import { DAY_MS } from '../clock.js';
import { GROUP_MAX, groupForSummary, summariseGroups } from './dream-summary.js';
import type { MemoryRow } from './rows.js';

let n = 0;
const row = (text: string, opts: { conversation?: string; actor?: string; day?: number } = {}): MemoryRow => ({
  id: `M${++n}`,
  label: n,
  text,
  kind: 'interaction',
  actor: opts.actor ?? 'creator',
  source: JSON.stringify(opts.conversation ? { conversation: opts.conversation } : { via: 'cli' }),
  created_at: (opts.day ?? 0) * DAY_MS + n,
  updated_at: 0,
  salience: 0.1,
  pinned: 0,
  status: 'active',
  merged_into: null,
  revision: 1,
  embedder: 'e',
  text_hash: 'h',
  vector: null,
  recall_count: 0,
  last_recalled_at: null,
  change_seq: n,
  context: '',
  context_id: null,
});

describe('dream summaries: grouping', () => {
  it('groups by conversation, else by week, per actor, oldest first, and leaves single memories alone', () => {
    const c1b = row('c1 second', { conversation: 'C1', day: 3 });
    const c1a = row('c1 first', { conversation: 'C1', day: 1 });
    const groups = groupForSummary([
      c1b,
      c1a,
      row('c2 alone', { conversation: 'C2' }),
      row('ana in C1', { conversation: 'C1', actor: 'ana' }),
      row('ana in C1 again', { conversation: 'C1', actor: 'ana' }),
      row('week 0 a', { day: 1 }),
      row('week 0 b', { day: 6 }),
      row('week 1', { day: 8 }),
    ]);
    // Groups come in the order of their oldest memory.
    expect(groups.map((g) => [g.actor, g.rows.map((r) => r.text)])).toEqual([
      ['ana', ['ana in C1', 'ana in C1 again']],
      ['creator', ['c1 first', 'c1 second']],
      ['creator', ['week 0 a', 'week 0 b']],
    ]);
  });

  it('splits a long conversation into groups of at most GROUP_MAX', () => {
    const rows = Array.from({ length: GROUP_MAX * 2 + 1 }, (_, i) => row(`m${i}`, { conversation: 'LONG' }));
    expect(groupForSummary(rows).map((g) => g.rows.length)).toEqual([GROUP_MAX, GROUP_MAX]); // the last one is alone
  });
});

describe('dream summaries: asking the model', () => {
  const groups = groupForSummary([
    row('a', { conversation: 'X' }),
    row('b', { conversation: 'X' }),
    row('c', { conversation: 'Y' }),
    row('d', { conversation: 'Y' }),
  ]);

  it('trims and bounds each summary', async () => {
    const r = await summariseGroups(groups, async (texts) => `  ${texts.join('+')}${' x'.repeat(2000)} `);
    expect(r.error).toBeUndefined();
    expect(r.done.map((d) => d.text.slice(0, 3))).toEqual(['a+b', 'c+d']);
    expect(r.done[0]!.text.length).toBe(2000);
  });

  it('stops at the first failure or empty answer and says why', async () => {
    let calls = 0;
    const failing = await summariseGroups(groups, async () => {
      if (++calls === 2) throw new Error('model went away');
      return 'fine';
    });
    expect(failing).toEqual({ done: [{ group: groups[0], text: 'fine' }], error: 'model went away' });
    expect((await summariseGroups(groups, async () => '   ')).error).toMatch(/empty summary/);
  });
});
