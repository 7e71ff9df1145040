/**
 * Ctrl+C while memories are being embedded (docs/embeddings.md, "When vectors are made"): `memory reindex` and the
 * embedding phase of `memory import` stop after the page in hand, keep every page before it, and say how far they got;
 * the next run goes on from there. (A second Ctrl+C exits at once, as everywhere.)
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeHome, type Home } from './cli-harness.js';
import { embedderCounts } from './embedder-counts.js';

const N = 1200;

const embedders = embedderCounts;

/** Runs the command, sends SIGINT at its first `embedded` progress line, and resolves with what it said. */
function interruptAtFirstPage(home: Home, args: string[]) {
  const child = home.spawn(args);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
    if (/"embedded":\d+/.test(stderr) && child.exitCode === null && !child.killed) child.kill('SIGINT');
  });
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.once('close', (code) => resolve({ code, stdout, stderr })),
  );
}

function writeNotes(home: Home): string {
  const file = join(home.dir, 'm.jsonl');
  const lines = Array.from({ length: N }, (_, i) =>
    JSON.stringify({ text: `note ${i}: the quince tree number ${i} flowered in the garden` }),
  );
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

describe('interrupting the embedding', () => {
  let home: Home;
  afterEach(() => home.cleanup());

  it('memory reindex stops at the first Ctrl+C, keeps what it made and says so; the next run does the rest', async () => {
    home = makeHome();
    await home.json(['init']);
    await home.json(['memory', 'import', writeNotes(home)], { env: { PROGENY_EMBEDDER_KIND: 'hash' } });
    const r = await interruptAtFirstPage(home, ['--json', 'memory', 'reindex']);
    expect(r.code).toBe(130);
    expect(r.stdout).toMatch(/"code":\s*"INTERRUPTED"/);
    expect(r.stdout).toMatch(/re-embedding stopped after \d+ of 1200 memories/);
    const mid = embedders(home);
    expect(mid['builtin-use-lite-v1/512']).toBeGreaterThan(0);
    expect(mid['builtin-hash-v2/384']).toBeGreaterThan(0);
    const again = await home.run(['--json', 'memory', 'reindex'], { timeoutMs: 120_000 });
    expect(again.code, again.stderr).toBe(0);
    expect(embedders(home)).toEqual({ 'builtin-use-lite-v1/512': N });
  }, 180_000);

  it('memory import: Ctrl+C while embedding keeps every line and says how many wait for a vector', async () => {
    home = makeHome();
    await home.json(['init']);
    const r = await interruptAtFirstPage(home, ['--json', 'memory', 'import', writeNotes(home)]);
    expect(r.code).toBe(130);
    expect(JSON.parse(r.stdout)).toMatchObject({ imported: N });
    expect(r.stderr).toMatch(/embedding stopped: \d+ memories wait for a vector/);
    const mid = embedders(home);
    expect(mid['']).toBeGreaterThan(0);
    expect((mid[''] ?? 0) + (mid['builtin-use-lite-v1/512'] ?? 0)).toBe(N);
  }, 180_000);
});
