import { describe, expect, it } from 'vitest';
import { recordProfile, topSelfTime, type CpuProfile } from './profile.js';

const frame = (functionName: string, url = 'file:///x/dist/a.js', lineNumber = 0) => ({
  functionName,
  url,
  lineNumber,
  columnNumber: 0,
});

describe('topSelfTime', () => {
  it('sums each sample’s interval into its function, grouped by name and location', () => {
    const p: CpuProfile = {
      nodes: [
        { id: 1, callFrame: frame('(root)', '') },
        { id: 2, callFrame: frame('hot', 'file:///x/dist/a.js', 9) },
        { id: 3, callFrame: frame('hot', 'file:///x/dist/a.js', 9) }, // same function, another call path
        { id: 4, callFrame: frame('cold') },
      ],
      startTime: 0,
      endTime: 1000,
      samples: [2, 3, 2, 4],
      timeDeltas: [0, 300, 300, 300], // samples at 0, 300, 600, 900 µs; the last runs to endTime (100 µs)
    };
    const r = topSelfTime(p, 10);
    expect(r.totalMs).toBe(1);
    expect(r.functions).toEqual([
      { function: 'hot', location: 'dist/a.js:10', selfMs: 0.9, selfPercent: 90 },
      { function: 'cold', location: 'dist/a.js:1', selfMs: 0.1, selfPercent: 10 },
    ]);
    expect(topSelfTime(p, 1).functions).toHaveLength(1);
  });

  it('records a real profile with node:inspector in which a busy function dominates', async () => {
    function busyLoop(): number {
      let x = 0;
      const end = Date.now() + 150;
      while (Date.now() < end) x += Math.sqrt(x + 1);
      return x;
    }
    const { profile, result } = await recordProfile(async () => busyLoop());
    expect(result).toBeGreaterThan(0);
    const top = topSelfTime(profile, 5).functions.map((f) => f.function);
    expect(top.slice(0, 3)).toContain('busyLoop');
  });
});
