import { describe, expect, it } from 'vitest';
import { reportBackground } from './background-events.js';

function capture() {
  const lines: string[] = [];
  const out = {
    notice: (m: string) => lines.push(`notice ${m}`),
    warn: (m: string, hint?: string) => lines.push(`warn ${m} | ${hint}`),
  };
  return { lines, report: reportBackground({ out: out as never }) };
}

describe('background events as the CLI words them', () => {
  it('a dream cycle: archived = merged-away + decayed, then faded and summaries; why summarising stopped', () => {
    const { lines, report } = capture();
    const base = { decayed: 1, merged: [{ kept: 'a', archived: ['b', 'c'] }], faded: 3, summarised: 0, dryRun: false };
    report({ kind: 'dream', report: { ...base, summaries: 0 } });
    report({ kind: 'dream', report: { ...base, summaries: 1, summaryError: 'model gone' } });
    report({ kind: 'dream-failed', message: 'disk full' });
    expect(lines).toEqual([
      'notice dream: 3 memories archived, 3 faded, 0 summaries',
      'notice dream: 3 memories archived, 3 faded, 1 summaries (summarising stopped: model gone)',
      'notice scheduled dream failed: disk full (will retry next cycle)',
    ]);
  });

  it('a sync alarm is a warning with what to run; a failed sync a notice', () => {
    const { lines, report } = capture();
    report({ kind: 'sync-alarm', alarm: 'fork detected' });
    report({ kind: 'sync-failed', code: 'SYNC_UNREACHABLE', message: 'relay down' });
    expect(lines).toEqual([
      'warn sync alarm: fork detected | run `progeny sync status`',
      'notice background sync failed: relay down (will retry)',
    ]);
  });
});
