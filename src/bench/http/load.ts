/** What both HTTP load models share: the request to send, and the generator's own CPU use as a saturation check. */
import { readFileSync } from 'node:fs';

export interface HttpLoad {
  url: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  connections: number;
  durationMs: number;
}

/** A generator using more than this share of its core measures itself, not the server. */
export const SATURATED_CPU = 0.95;

/** How many times the kernel took the CPU away from this process (Linux; undefined elsewhere): a late generator's usual cause on a shared machine. */
export function involuntarySwitches(): number | undefined {
  try {
    const m = /nonvoluntary_ctxt_switches:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

export function cpuMeter(): () => number {
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  return () => {
    const c = process.cpuUsage(c0);
    const wallUs = Number(process.hrtime.bigint() - t0) / 1e3;
    return wallUs > 0 ? (c.user + c.system) / wallUs : 0;
  };
}

/** "GET /v1/state" → method and path (a bare path means GET). */
export function parseRoute(route: string): { method: string; path: string } {
  const m = /^\s*(?:(GET|POST|PUT|PATCH|DELETE|HEAD)\s+)?(\/\S*)\s*$/i.exec(route);
  if (!m) throw new Error(`route "${route}" must look like 'GET /v1/state'`);
  return { method: (m[1] ?? 'GET').toUpperCase(), path: m[2]! };
}
