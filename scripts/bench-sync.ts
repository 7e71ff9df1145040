/**
 * Standalone run of the sync bench suite (tsx scripts/bench-sync.ts [--memories N] [--quick]): P50/P95/P99 per case
 * and bytes on the wire per change, against the budgets of docs/performance.md. `progeny bench core --suite sync` runs the
 * same suite under the shared runner.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite, type WireCounter } from '../src/bench/suites/sync.js';

const args = process.argv.slice(2);
const memories = Number(args[args.indexOf('--memories') + 1]) || 10_000;
const quick = args.includes('--quick');
// docs/performance.md: seal/open of a 1 KiB batch ≤ 0.05 ms crypto overhead; push + pull of one change P99 ≤ 30 ms;
// initial sync of 10k memories + 50k messages ≤ 3 s.
const BUDGETS: Record<string, { p50Ms?: number; p99Ms?: number; maxMs?: number }> = {
  'sync.seal1k': { p50Ms: 0.05 },
  'sync.open1k': { p50Ms: 0.05 },
  'sync.pushpull1': { p99Ms: 30 },
  'sync.initial': { maxMs: 3000 },
  'sync.initialSnapshot': { maxMs: 3000 },
};
const ITERATIONS: Record<string, number> = {
  'sync.seal1k': 3000,
  'sync.open1k': 3000,
  'sync.pushpull1': quick ? 100 : 400,
  'sync.initial': quick ? 2 : 5,
  'sync.initialSnapshot': quick ? 2 : 5,
};

const pct = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;

const dir = mkdtempSync(join(tmpdir(), 'progeny-bench-sync-'));
try {
  const t0 = performance.now();
  const prepared = (await suite.setup({ dir, seed: 42, memories })) as Awaited<ReturnType<typeof suite.setup>> & {
    wire: WireCounter;
  };
  console.log(
    `setup (${memories} memories + ${memories * 5} messages sealed and pushed): ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  const rows: string[] = [];
  for (const c of prepared.cases) {
    const n = ITERATIONS[c.name] ?? 100;
    for (let i = 0; i < Math.min(20, Math.ceil(n / 10)); i++) await c.op(); // warm-up
    const before = { ...prepared.wire };
    const times: number[] = [];
    for (let i = 0; i < n; i++) {
      const s = process.hrtime.bigint();
      await c.op();
      times.push(Number(process.hrtime.bigint() - s) / 1e6);
    }
    const wireBytes = prepared.wire.bytesOut - before.bytesOut + prepared.wire.bytesIn - before.bytesIn;
    const reqs = prepared.wire.requests - before.requests;
    times.sort((x, y) => x - y);
    const b = BUDGETS[c.name] ?? {};
    const p99 = pct(times, 99);
    const max = times.at(-1) as number;
    const ok =
      (b.p50Ms === undefined || pct(times, 50) <= b.p50Ms) &&
      (b.p99Ms === undefined || p99 <= b.p99Ms) &&
      (b.maxMs === undefined || max <= b.maxMs);
    const ratio = c.opsPerCall ? `; ${Math.round(c.opsPerCall / (pct(times, 50) / 1000))} changes/s at P50` : '';
    const budget =
      b.p50Ms !== undefined
        ? `P50 ≤ ${b.p50Ms} ms`
        : b.p99Ms !== undefined
          ? `P99 ≤ ${b.p99Ms} ms`
          : b.maxMs !== undefined
            ? `≤ ${b.maxMs} ms`
            : '';
    const wire = reqs
      ? `; ${(wireBytes / n).toFixed(0)} B on the wire and ${(reqs / n).toFixed(1)} requests per call${c.opsPerCall ? ` (${(wireBytes / n / c.opsPerCall).toFixed(1)} B per change)` : ''}`
      : '';
    rows.push(
      `${c.name.padEnd(16)} n=${String(n).padEnd(5)} P50 ${pct(times, 50).toFixed(3)} ms  P95 ${pct(times, 95).toFixed(3)} ms  P99 ${p99.toFixed(3)} ms  max ${max.toFixed(1)} ms  budget ${budget} ${ok ? 'OK' : 'OVER'}${wire}${ratio}`,
    );
  }
  console.log(rows.join('\n'));
  await prepared.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
