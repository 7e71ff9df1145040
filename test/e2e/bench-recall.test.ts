/** End-to-end: `progeny bench recall FILE`: the report, thresholds and their exit codes, malformed files, --set. */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { validateReport } from '../../src/bench/report-schema.js';
import type { BenchReport } from '../../src/bench/report.js';
import { makeHome } from './cli-harness.js';

const home = makeHome();
afterAll(() => home.cleanup());
const SET = fileURLToPath(new URL('../../fixtures/memory/eval-conversation.json', import.meta.url));
// The throwaway homes go to this TMPDIR, so the test can see that none is left behind.
const tmp = join(home.dir, 'tmp');
mkdirSync(tmp);
const env = { ...home.env, TMPDIR: tmp };

describe('progeny bench recall', () => {
  it('reports recall@k overall and per category with search latency, in a valid progeny.bench/1 report', async () => {
    const r = await home.run(
      [
        '--json',
        'bench',
        'recall',
        SET,
        '--k',
        '10,1,5',
        '--threshold',
        'recall@10>=0.3',
        '--set',
        'memory.recall.lambda=1',
      ],
      { env, timeoutMs: 60_000 },
    );
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as BenchReport;
    expect(validateReport(report)).toEqual([]);
    expect(report.kind).toBe('recall');
    expect(report.results.map((c) => c.name)).toEqual(['recall.all', 'recall.single-hop', 'recall.multi-hop']);
    const all = report.results[0]!;
    expect(all.latency.count).toBe(20);
    expect(all.extra?.questions).toBe(20);
    const [r1, r5, r10] = [all.extra?.['recall@1'], all.extra?.['recall@5'], all.extra?.['recall@10']] as number[];
    expect(r1).toBeGreaterThan(0);
    expect(r1).toBeLessThanOrEqual(r5!);
    expect(r5).toBeLessThanOrEqual(r10!);
    expect(report.config).toMatchObject({ k: [1, 5, 10], turns: 36, overrides: { 'memory.recall.lambda': 1 } });
    expect((report.config.settings as Record<string, unknown>)['memory.recall.lambda']).toBe(1);
    expect(report.verdict.status).toBe('pass');
    expect(r.stderr).toContain('"progress"');
    expect(readdirSync(tmp)).toEqual([]);
  }, 90_000);

  it('prints a table of recall@k and latency per category; a breached threshold exits 10', async () => {
    const r = await home.run(['bench', 'recall', SET, '--threshold', 'recall@10>1'], { env, timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(10);
    expect(r.stdout).toMatch(/questions\s+n\s+recall@5\s+recall@10\s+P50 ms\s+P95 ms\s+P99 ms/);
    expect(r.stdout).toMatch(/^all\s+20\s/m);
    expect(r.stdout).toMatch(/✗ recall@10>1/);
    expect(r.stdout).toContain('verdict: threshold-breach (exit 10)');
  }, 90_000);

  it('refuses a malformed file naming the line and field, and bad flags, with exit 2 before running', async () => {
    const bad = join(home.dir, 'bad.json');
    writeFileSync(
      bad,
      JSON.stringify(
        {
          conversations: [
            {
              sessions: [{ date: '2026-01-01', turns: [{ id: 't1', speaker: 'Ana', text: 'Hello' }] }],
              questions: [{ question: 'Hi?', evidence: ['t2'] }],
            },
          ],
        },
        null,
        2,
      ),
    );
    const r = await home.run(['bench', 'recall', bad], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${bad}:20: conversations[0].questions[0].evidence[0] must be the id of a turn`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    for (const args of [
      ['--set', 'memory.recall.nope=1'],
      ['--set', 'memory.recall.lambda=2'],
      ['--set', 'lambda'],
      ['--k', '0'],
      ['--threshold', 'recall@10>=0.5ms'],
    ]) {
      const x = await home.run(['bench', 'recall', SET, ...args], { env });
      expect(x.code, `${args.join(' ')}: ${x.stderr}`).toBe(2);
    }
    const missing = await home.run(['bench', 'recall', join(home.dir, 'missing.json')], { env });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no such file');
  }, 60_000);
});
