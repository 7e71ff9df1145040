/**
 * `scripts/bench-wrk.mjs` judges the server's budget (median ratio to node:http ≥ --min-ratio, default 0.6) and exits
 * 10 below it, as a breached `progeny bench` threshold does, so `npm run bench` fails on it. Behaviour, not timing:
 * an unreachable minimum (1000× node:http) must breach whatever the machine does. Needs wrk (skipped without it).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const hasWrk = !spawnSync('wrk', ['--version']).error;
const dir = mkdtempSync(join(tmpdir(), 'progeny-wrk-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const run = (...args: string[]) =>
  spawnSync(process.execPath, ['scripts/bench-wrk.mjs', ...args], { cwd: root, encoding: 'utf8', timeout: 120_000 });

describe.skipIf(!hasWrk)('bench-wrk budget', () => {
  it('exits 10 when the median ratio is under --min-ratio, and records the budget in its report', () => {
    const out = join(dir, 'wrk.json');
    const r = run('--runs', '1', '--duration', '1s', '--min-ratio', '1000', '--out', out);
    expect(r.status, r.stderr).toBe(10);
    expect(r.stdout).toMatch(/^budget: median ratio [\d.]+ < 1000$/m);
    const report = JSON.parse(readFileSync(out, 'utf8')) as { budget: unknown; medianRatio: number };
    expect(report.budget).toEqual({ minRatio: 1000, pass: false });
    expect(report.medianRatio).toBeGreaterThan(0);
  }, 150_000);

  it('refuses a --min-ratio that is not a positive number', () => {
    const r = run('--min-ratio', 'abc');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--min-ratio must be a positive number, got "abc"');
  });
});
