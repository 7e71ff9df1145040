/**
 * `npm run bench:core`: runs the memory bench suite with a plain loop and prints P50/P95/P99 against the budgets of
 * docs/performance.md. `progeny bench core` is the full runner; this script is the quick check while developing.
 * Usage: tsx scripts/bench-memory.ts [--memories N] [--seed S]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memorySuite } from '../src/bench/suites/memory.js';

const arg = (name: string): number | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : undefined;
};
const BUDGETS: Record<string, { p99Ms?: number; opsPerSec?: number }> = {
  'memory.recall@100k': { p99Ms: 2 },
  'memory.ingest': { opsPerSec: 5000 },
};

const pct = (xs: number[], p: number): number =>
  xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] as number;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'progeny-bench-'));
  const memories = arg('memories');
  const t0 = performance.now();
  const run = await memorySuite.setup({ dir, seed: arg('seed') ?? 1, ...(memories ? { memories } : {}) });
  console.log(`setup (fill + index build) ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  try {
    console.log('case                      calls    p50 ms    p95 ms    p99 ms    max ms      ops/s  budget');
    for (const c of run.cases) {
      const calls = c.name === 'memory.ingest' ? 100 : 3000;
      for (let i = 0; i < Math.min(100, calls / 10); i++) await c.op();
      const times: number[] = [];
      const start = performance.now();
      for (let i = 0; i < calls; i++) {
        const s = process.hrtime.bigint();
        await c.op();
        times.push(Number(process.hrtime.bigint() - s) / 1e6);
      }
      const ops = (calls * (c.opsPerCall ?? 1)) / ((performance.now() - start) / 1000);
      times.sort((a, b) => a - b);
      const b = BUDGETS[c.name];
      const verdict =
        b?.p99Ms !== undefined
          ? `P99 ≤ ${b.p99Ms} ms: ${pct(times, 99) <= b.p99Ms ? 'ok' : 'MISSED'}`
          : b?.opsPerSec
            ? `≥ ${b.opsPerSec}/s: ${ops >= b.opsPerSec ? 'ok' : 'MISSED'}`
            : '';
      const cols = [pct(times, 50), pct(times, 95), pct(times, 99), times.at(-1) as number].map((x) =>
        x.toFixed(3).padStart(9),
      );
      console.log(
        `${c.name.padEnd(24)}${String(calls).padStart(7)} ${cols.join(' ')} ${ops.toFixed(0).padStart(10)}  ${verdict}`,
      );
      const recall = (await c.quality?.())?.recallAt10;
      if (typeof recall === 'number')
        console.log(
          `  index recall@10 vs exact (200 queries): ${recall.toFixed(3)}  budget ≥ 0.95: ${recall >= 0.95 ? 'ok' : 'MISSED'}`,
        );
    }
  } finally {
    await run.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
