import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Engine } from '../core/engine/engine.js';
import type { DreamOptions, DreamReport } from '../core/memory/index.js';
import { startDreamSchedule } from './dream-schedule.js';

afterEach(() => vi.useRealTimers());

function fakeEngine(config: Record<string, unknown>, dream: (o: DreamOptions) => Promise<DreamReport>) {
  const summariser = async () => 'summary';
  return {
    engine: { config, mode: () => 'FULL', summariser: () => summariser, memory: { dream } } as unknown as Engine,
    summariser,
  };
}
const report: DreamReport = {
  decayed: 1,
  merged: [{ kept: 'a', archived: ['b'] }],
  faded: 3,
  summarised: 0,
  summaries: 0,
  dryRun: false,
};

describe('scheduled dream in serve', () => {
  it('runs every memory.dream.everyHours, with summaries when configured, one notice per cycle', async () => {
    vi.useFakeTimers();
    const calls: DreamOptions[] = [];
    const notices: string[] = [];
    const { engine, summariser } = fakeEngine(
      { 'memory.dream.everyHours': 2, 'memory.dream.summarise': true },
      async (o) => (calls.push(o), report),
    );
    const s = startDreamSchedule({ out: { notice: (m: string) => notices.push(m) } as never }, engine);
    await vi.advanceTimersByTimeAsync(3_600_000);
    expect(calls).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(3_600_000 * 3);
    expect(calls).toHaveLength(2);
    expect(calls[0]!.summarise).toBe(summariser);
    expect(notices[0]).toBe('dream: 2 memories archived, 3 faded, 0 summaries');
    await s.stop();
    await vi.advanceTimersByTimeAsync(3_600_000 * 4);
    expect(calls).toHaveLength(2);
  });

  it('is off at 0, and reports a failed cycle without stopping', async () => {
    vi.useFakeTimers();
    let n = 0;
    const off = fakeEngine({ 'memory.dream.everyHours': 0 }, async () => (n++, report));
    await startDreamSchedule({ out: { notice: () => undefined } as never }, off.engine).stop();
    const notices: string[] = [];
    const failing = fakeEngine({ 'memory.dream.everyHours': 1, 'memory.dream.summarise': false }, async (o) => {
      n++;
      expect(o.summarise).toBeUndefined();
      throw new Error('disk full');
    });
    const s = startDreamSchedule({ out: { notice: (m: string) => notices.push(m) } as never }, failing.engine);
    await vi.advanceTimersByTimeAsync(3_600_000 * 2);
    expect(n).toBe(2);
    expect(notices).toEqual([
      'scheduled dream failed: disk full (will retry next cycle)',
      'scheduled dream failed: disk full (will retry next cycle)',
    ]);
    await s.stop();
  });
});
