/** End-to-end: `progeny bench core|http` with tiny durations: report shape, verdicts and their exit codes. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { validateReport } from '../../src/bench/report-schema.js';
import type { BenchReport } from '../../src/bench/report.js';
import { makeHome } from './cli-harness.js';

const home = makeHome();
afterAll(() => home.cleanup());

const TINY = ['--runs', '2', '--duration', '150ms', '--warmup', '20ms'];

describe('progeny bench core', () => {
  it('measures the state suite in child processes and writes a valid progeny.bench/1 report', async () => {
    const out = join(home.dir, 'core.json');
    const r = await home.run(['--json', 'bench', 'core', '--suite', 'state', ...TINY, '--out', out], { timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as BenchReport;
    expect(validateReport(report)).toEqual([]);
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(report);
    expect(report.results.map((c) => c.name)).toEqual(['state.read', 'state.update', 'state.turn']);
    for (const c of report.results) {
      expect(c.runs).toHaveLength(2);
      expect(c.latency.count).toBeGreaterThan(10);
      expect(c.latency.p50).toBeGreaterThan(0);
      expect(c.latency.p50).toBeLessThanOrEqual(c.latency.p99);
      expect(c.runs[0]!.resources?.rssPeakMb).toBeGreaterThan(10);
    }
    expect(report.verdict).toEqual({ status: 'pass', exitCode: 0, reasons: [] });
  }, 90_000);

  it('prints a human table with P50/P95/P99 columns', async () => {
    const r = await home.run(['bench', 'core', '--suite', 'state', '--filter', 'state.read', '--runs', '1', '--duration', '100ms', '--warmup', '0ms'], { timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/case\s+P50 ms\s+P95 ms\s+P99 ms\s+max ms\s+ops\/s/);
    expect(r.stdout).toMatch(/^state\.read\s/m);
    expect(r.stdout).toContain('verdict: pass');
  }, 60_000);

  it('an impossible threshold fails with exit 10', async () => {
    const r = await home.run(['--json', 'bench', 'core', '--suite', 'state', '--filter', 'state.read', '--runs', '1', '--duration', '100ms', '--threshold', 'state.read:p(50)<1ns'], { timeoutMs: 60_000 });
    expect(r.code).toBe(10);
    const report = JSON.parse(r.stdout) as BenchReport;
    expect(report.verdict.status).toBe('threshold-breach');
    expect(report.thresholds[0]).toMatchObject({ expr: 'state.read:p(50)<1ns', status: 'breach' });
  }, 60_000);

  it('a bad threshold is a usage error before anything runs', async () => {
    const r = await home.run(['bench', 'core', '--threshold', 'state.read:p95<1ms']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('threshold "state.read:p95<1ms"');
  });

  it('a baseline far faster than this machine is a regression (exit 11); the same baseline passes', async () => {
    const base = join(home.dir, 'base.json');
    const args = ['--json', 'bench', 'core', '--suite', 'state', '--filter', 'state.read', ...TINY];
    const saved = await home.run([...args, '--save-baseline', base], { timeoutMs: 60_000 });
    expect(saved.code, saved.stderr).toBe(0);
    const same = await home.run([...args, '--baseline', base, '--max-regression', '1000%'], { timeoutMs: 60_000 });
    expect(same.code, same.stdout).toBe(0);
    const fast = JSON.parse(readFileSync(base, 'utf8')) as BenchReport;
    for (const run of fast.results.flatMap((c) => c.runs)) {
      run.latency.p50 /= 1000;
      run.rate *= 1000;
    }
    writeFileSync(base, JSON.stringify(fast));
    const r = await home.run([...args, '--baseline', base], { timeoutMs: 60_000 });
    expect(r.code).toBe(11);
    expect((JSON.parse(r.stdout) as BenchReport).baseline?.regressed).toEqual(['state.read']);
  }, 120_000);

  it('too few samples make the measurement invalid (exit 12)', async () => {
    const r = await home.run(['--json', 'bench', 'core', '--suite', 'state', '--filter', 'state.read', '--runs', '1', '--max-calls', '5'], { timeoutMs: 60_000 });
    expect(r.code).toBe(12);
    expect((JSON.parse(r.stdout) as BenchReport).verdict.reasons[0]).toContain('only 5 calls');
  }, 60_000);
});
