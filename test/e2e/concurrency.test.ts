import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeHome, type Home } from './cli-harness.js';

describe('two progeny processes on one home', () => {
  let home: Home;
  afterEach(() => home.cleanup());

  it('concurrent imports and chat turns all land, with no lock errors', async () => {
    // The hash embedder: this is about locks between writers; with the semantic model every process would also make
    // vectors for 3,000 memories, minutes of CPU on a loaded two-core machine (test/e2e/embedder.test.ts covers it).
    home = makeHome({ PROGENY_MEMORY_BATCH_SIZE: '50', PROGENY_EMBEDDER_KIND: 'hash' });
    await home.json(['init']);
    const files = ['a', 'b'].map((name) => {
      const file = join(home.dir, `${name}.jsonl`);
      const lines = Array.from({ length: 1500 }, (_, i) =>
        JSON.stringify({ v: 1, text: `${name} memory ${i}: the ${name} side of the story, part ${i}` }),
      );
      writeFileSync(file, `${lines.join('\n')}\n`);
      return file;
    });
    const chatLines = Array.from({ length: 10 }, (_, i) => `message ${i} while importing`).join('\n');
    const results = await Promise.all([
      home.run(['--json', 'memory', 'import', files[0]!], { timeoutMs: 120_000 }),
      home.run(['--json', 'memory', 'import', files[1]!], { timeoutMs: 120_000 }),
      home.run(['--json', 'chat'], { input: `${chatLines}\n`, timeoutMs: 120_000 }),
    ]);
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(results[0]!.stdout).imported).toBe(1500);
    expect(JSON.parse(results[1]!.stdout).imported).toBe(1500);
    const state = await home.json<{ interactionCount: number }>(['state', 'show']);
    expect(state.interactionCount).toBe(10);
    // 3,000 imported + 10 chat exchanges queued as interaction memories.
    const search = await home.json<{ results: { memory: { text: string } }[] }>([
      'memory',
      'search',
      'the b side of the story part 1499',
      '-k',
      '3',
    ]);
    expect(search.results.map((r) => r.memory.text)).toContain('b memory 1499: the b side of the story, part 1499');
  }, 180_000);
});
