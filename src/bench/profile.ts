/**
 * CPU profiles: recording one around a piece of work with node:inspector, and reading any .cpuprofile (ours, or one
 * written by `node --cpu-prof`) into the functions with the most self time. Self time of a node is the sum of the
 * sampling intervals (timeDeltas) whose sample landed in that node; nodes are grouped by function and location.
 */
import { Session } from 'node:inspector/promises';

export interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
    hitCount?: number;
    children?: number[];
  }[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export interface HotFunction {
  function: string;
  location: string;
  selfMs: number;
  selfPercent: number;
}

export async function recordProfile<T>(
  work: () => Promise<T>,
  samplingIntervalUs = 100,
): Promise<{ profile: CpuProfile; result: T }> {
  const session = new Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: samplingIntervalUs });
    await session.post('Profiler.start');
    let result: T | undefined;
    let failure: { error: unknown } | undefined;
    try {
      result = await work();
    } catch (error) {
      failure = { error };
    }
    const { profile } = (await session.post('Profiler.stop')) as { profile: CpuProfile };
    if (failure) throw failure.error;
    return { profile, result: result as T };
  } finally {
    session.disconnect();
  }
}

const shortUrl = (url: string): string =>
  url
    .replace(/^file:\/\//, '')
    .replace(/^.*\/node_modules\//, '~/')
    .replace(/^.*\/(dist|src)\//, '$1/');

export function topSelfTime(p: CpuProfile, top: number): { totalMs: number; functions: HotFunction[] } {
  const selfUs = new Map<number, number>();
  const samples = p.samples ?? [];
  const deltas = p.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) {
    // Each sample's duration is the gap to the next one; the last sample takes the gap to endTime.
    const dt =
      i + 1 < deltas.length
        ? deltas[i + 1]!
        : Math.max(0, p.endTime - (p.startTime + deltas.slice(0, i + 1).reduce((a, b) => a + b, 0)));
    selfUs.set(samples[i]!, (selfUs.get(samples[i]!) ?? 0) + Math.max(0, dt));
  }
  const byFn = new Map<string, HotFunction>();
  let totalUs = 0;
  for (const n of p.nodes) {
    if (n.callFrame.functionName === '(idle)') continue; // waiting, not CPU time
    const us = selfUs.get(n.id) ?? 0;
    totalUs += us;
    const cf = n.callFrame;
    const name = cf.functionName || (cf.url ? '(anonymous)' : `(${cf.functionName || 'native'})`);
    const location = cf.url ? `${shortUrl(cf.url)}:${cf.lineNumber + 1}` : '(native or V8)';
    const key = `${name}@${location}`;
    const entry = byFn.get(key) ?? { function: name, location, selfMs: 0, selfPercent: 0 };
    entry.selfMs += us / 1000;
    byFn.set(key, entry);
  }
  const functions = [...byFn.values()]
    .filter((f) => f.selfMs > 0)
    .sort((a, b) => b.selfMs - a.selfMs)
    .slice(0, top)
    .map((f) => ({
      ...f,
      selfMs: Math.round(f.selfMs * 1000) / 1000,
      selfPercent: totalUs ? Math.round((f.selfMs * 1000 * 1000) / totalUs) / 10 : 0,
    }));
  return { totalMs: Math.round(totalUs) / 1000, functions };
}
