import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { makeHome, type Home } from './cli-harness.js';
import { embedderCounts } from './embedder-counts.js';

interface SearchOut {
  results: { memory: { text: string; embedder: string }; score: { oldCosine?: number } }[];
}

const embedders = embedderCounts;

describe('the semantic embedder, end to end', () => {
  let home: Home;
  afterEach(() => home.cleanup());

  it('memory add stores without waiting for the model; the next search embeds it and finds it by meaning', async () => {
    home = makeHome();
    await home.json(['init']);
    for (const text of ['I adopted a kitten last week', 'The train to Lyon leaves at noon', 'My sister paints houses'])
      await home.json(['memory', 'add', text]);
    expect(embedders(home)).toEqual({ '': 3 });
    const out = await home.json<SearchOut>(['memory', 'search', 'we got a new cat', '-k', '1']);
    expect(out.results[0]?.memory.text).toBe('I adopted a kitten last week');
    expect(embedders(home)).toEqual({ 'builtin-use-lite-v1/512': 3 });
  }, 120_000);

  it('commands that need no vector never load the model, memory add included; a search loads it', async () => {
    home = makeHome();
    await home.json(['init']);
    const trace = fileURLToPath(new URL('../../src/testing/trace-model-load.cjs', import.meta.url));
    const env = { NODE_OPTIONS: `--require ${trace}` };
    for (const args of [
      ['--help'],
      ['memory', 'add', 'I adopted a kitten last week'],
      ['state', 'show'],
      ['memory', 'list'],
    ]) {
      const r = await home.run(args, { env });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr, args.join(' ')).not.toMatch(/MODEL-LOADED/);
    }
    const search = await home.run(['memory', 'search', 'a new cat'], { env });
    expect(search.code).toBe(0);
    expect(search.stderr).toMatch(/MODEL-LOADED/);
  }, 120_000);

  it('after a switch from the hash embedder: found by words at once, reindex reports progress and resumes after a kill', async () => {
    home = makeHome();
    await home.json(['init']);
    const file = join(home.dir, 'm.jsonl');
    const lines = Array.from({ length: 600 }, (_, i) =>
      JSON.stringify({ v: 1, text: `note ${i}: the quince tree number ${i} flowered in the garden` }),
    );
    writeFileSync(file, `${lines.join('\n')}\n`);
    await home.json(['memory', 'import', file], { env: { PROGENY_EMBEDDER_KIND: 'hash' } });
    expect(embedders(home)).toEqual({ 'builtin-hash-v2/384': 600 });

    // The default embedder now: nothing re-embedded yet, and a search still finds by words.
    const before = await home.json<SearchOut>(['memory', 'search', 'quince tree number 599', '-k', '3']);
    expect(before.results.map((r) => r.memory.text)).toContain(
      'note 599: the quince tree number 599 flowered in the garden',
    );

    // A reindex killed after its first progress line keeps what it committed; the next one does only the rest.
    const child = home.spawn(['--json', 'memory', 'reindex']);
    let stderr = '';
    await new Promise<void>((resolve) => {
      child.stderr?.on('data', (d: Buffer) => {
        stderr += d.toString();
        if (/"embedded":\d+/.test(stderr)) {
          child.kill('SIGKILL');
          resolve();
        }
      });
      child.on('exit', () => resolve());
    });
    await new Promise((r) => child.once('close', r));
    const mid = embedders(home);
    expect(mid['builtin-use-lite-v1/512']).toBeGreaterThan(0);
    expect(mid['builtin-hash-v2/384']).toBeGreaterThan(0);

    const again = await home.run(['--json', 'memory', 'reindex'], { timeoutMs: 120_000 });
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout).count).toBe(mid['builtin-hash-v2/384']);
    const progress = again.stderr
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { progress?: { embedded: number; total: number } });
    expect(progress.at(-1)?.progress).toEqual({
      embedded: mid['builtin-hash-v2/384'],
      total: mid['builtin-hash-v2/384'],
    });
    expect(embedders(home)).toEqual({ 'builtin-use-lite-v1/512': 600 });
    const doctor = await home.json<{ checks: { check: string; status: string; detail: string }[] }>(['doctor']);
    expect(doctor.checks.find((c) => c.check === 'embedder')).toMatchObject({ status: 'ok' });
  }, 180_000);

  it('doctor says which runtime runs the model: the native addon by default, the workers with embedder.runtime=wasm', async () => {
    home = makeHome();
    await home.json(['init']);
    type Doctor = { checks: { check: string; status: string; detail: string }[] };
    const embedderCheck = async (env: NodeJS.ProcessEnv = {}) =>
      (await home.json<Doctor>(['doctor'], { env })).checks.find((c) => c.check === 'embedder');
    expect(await embedderCheck()).toMatchObject({
      status: 'ok',
      detail: expect.stringMatching(/answers, run by native: the native addon \((avx512f|avx2|generic) kernels\)/),
    });
    expect(await embedderCheck({ PROGENY_EMBEDDER_RUNTIME: 'wasm' })).toMatchObject({
      status: 'ok',
      detail: expect.stringContaining('answers, run by wasm: embedder.runtime is wasm'),
    });
  }, 120_000);

  // Recall during an embedder switch (docs/memory-recall.md, "During an embedder switch").
  it('memory search on a home not yet re-embedded finds by the old vectors a memory that shares no word with the query', async () => {
    home = makeHome();
    await home.json(['init']);
    const hash = { env: { PROGENY_EMBEDDER_KIND: 'hash' } };
    for (const text of [
      'I practise the cello every evening',
      'The train to Lyon leaves at noon',
      'tomatoes from the market',
    ])
      await home.json(['memory', 'add', text], hash);
    expect(embedders(home)).toEqual({ 'builtin-hash-v2/384': 3 });

    // Now on the default embedder, nothing re-embedded: "cellist" is no word of any memory, and no memory has a
    // vector of the semantic model; the hash embedder's vectors still find it.
    const out = await home.json<SearchOut>(['memory', 'search', 'my cellist', '-k', '1']);
    expect(out.results[0]?.memory.text).toBe('I practise the cello every evening');
    expect(out.results[0]?.memory.embedder).toBe('builtin-hash-v2/384');
    expect(out.results[0]?.score.oldCosine).toBeGreaterThan(0);
    expect(embedders(home)).toEqual({ 'builtin-hash-v2/384': 3 });
  }, 120_000);
});
