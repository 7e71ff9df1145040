import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Engine } from '../core/engine/engine.js';
import type { DreamOptions, DreamReport } from '../core/memory/index.js';
import { startDreamSchedule, type DreamEvent } from './dream-schedule.js';

afterEach(() => vi.useRealTimers());

function fakeEngine(dream: (o: DreamOptions) => Promise<DreamReport>) {
  const summariser = async () => 'summary';
  return {
    engine: { mode: () => 'FULL', summariser: () => summariser, memory: { dream } } as unknown as Engine,
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

describe('scheduled dream of a server', () => {
  it('runs every everyHours, with summaries when asked, one event per cycle', async () => {
    vi.useFakeTimers();
    const calls: DreamOptions[] = [];
    const events: DreamEvent[] = [];
    const { engine, summariser } = fakeEngine(async (o) => (calls.push(o), report));
    const s = startDreamSchedule(engine, { everyHours: 2, summarise: true }, (e) => events.push(e));
    await vi.advanceTimersByTimeAsync(3_600_000);
    expect(calls).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(3_600_000 * 3);
    expect(calls).toHaveLength(2);
    expect(calls[0]!.summarise).toBe(summariser);
    expect(events).toEqual([
      { kind: 'dream', report },
      { kind: 'dream', report },
    ]);
    await s.stop();
    await vi.advanceTimersByTimeAsync(3_600_000 * 4);
    expect(calls).toHaveLength(2);
  });

  it('is off at 0, and reports a failed cycle without stopping', async () => {
    vi.useFakeTimers();
    let n = 0;
    const off = fakeEngine(async () => (n++, report));
    await startDreamSchedule(off.engine, { everyHours: 0, summarise: true }, () => undefined).stop();
    const events: DreamEvent[] = [];
    const failing = fakeEngine(async (o) => {
      n++;
      expect(o.summarise).toBeUndefined();
      throw new Error('disk full');
    });
    const s = startDreamSchedule(failing.engine, { everyHours: 1, summarise: false }, (e) => events.push(e));
    await vi.advanceTimersByTimeAsync(3_600_000 * 2);
    expect(n).toBe(2);
    expect(events).toEqual([
      { kind: 'dream-failed', message: 'disk full' },
      { kind: 'dream-failed', message: 'disk full' },
    ]);
    await s.stop();
  });
});
