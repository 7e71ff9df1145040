import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadRecordedStream, llmFixturePath } from '../../src/core/llm/replay.js';
import { startLlmTestDouble, type LlmTestDouble } from '../../src/testing/llm-double.js';
import { makeHome, type Home } from './cli-harness.js';

interface DreamJson {
  decayed: number;
  summarised: number;
  summaries: number;
  summaryError?: string;
}
interface MemoryJson {
  id: string;
  text: string;
  kind: string;
  status: string;
  mergedInto: string | null;
}

/** Two faint memories of one conversation, two months old: the next dream archives them. */
function seedOld(home: Home): string {
  const createdAt = Date.now() - 60 * 86_400_000;
  const lines = ['we planned the trip to Porto with Ana', 'Ana booked the train for the ninth of May'].map((text, i) =>
    JSON.stringify({ v: 1, text, createdAt: createdAt + i, salience: 0.11, source: { conversation: 'C1' } }),
  );
  const file = join(home.dir, 'old.jsonl');
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

describe('dream --summarise', () => {
  let double: LlmTestDouble;
  let home: Home;
  beforeAll(async () => {
    double = await startLlmTestDouble({ fixture: 'greeting' });
  });
  afterAll(() => double.close());
  afterEach(() => home.cleanup());

  it('without a model: exit 4 with a hint, and nothing is archived', async () => {
    home = makeHome();
    await home.json(['memory', 'import', seedOld(home)]);
    const r = await home.run(['dream', '--summarise']);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/dream --summarise needs a model/);
    expect(r.stderr).toMatch(/hint: .*--no-summarise/);
    const list = await home.json<{ items: MemoryJson[] }>(['memory', 'list']);
    expect(list.items.map((m) => m.status)).toEqual(['active', 'active']);
  });

  it('with a model: the faded conversation becomes one summary, the originals archived and linked to it', async () => {
    home = makeHome({ PROGENY_LLM_PROVIDER: 'ollama', PROGENY_LLM_URL: double.ollamaUrl, PROGENY_LLM_RETRIES: '0' });
    await home.json(['memory', 'import', seedOld(home)]);
    const r = await home.json<DreamJson>(['dream', '--summarise']);
    expect(r, JSON.stringify(r)).toMatchObject({ decayed: 2, summarised: 2, summaries: 1 });
    const asked = JSON.stringify(double.requests.find((q) => q.route === 'chat')?.body);
    expect(asked).toContain('1. we planned the trip to Porto with Ana');
    expect(asked).toContain('2. Ana booked the train for the ninth of May');
    const all = (await home.json<{ items: MemoryJson[] }>(['memory', 'list', '--status', 'all'])).items;
    const summary = all.find((m) => m.kind === 'summary')!;
    const greeting = (await loadRecordedStream(llmFixturePath('greeting', 'ollama')))
      .map((c) => (c.type === 'token' ? c.text : ''))
      .join('');
    expect(summary).toMatchObject({ status: 'active', text: greeting.trim() });
    expect(all.filter((m) => m.kind !== 'summary').map((m) => [m.status, m.mergedInto])).toEqual([
      ['archived', summary.id],
      ['archived', summary.id],
    ]);
  });
});
