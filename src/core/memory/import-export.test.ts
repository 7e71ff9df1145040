import { afterEach, describe, expect, it } from 'vitest';
import { ulid } from '../ids.js';
import { memoryFixture, T0, type MemoryFixture } from '../../testing/memory-fixture.js';

let fx: MemoryFixture;
afterEach(() => fx.cleanup());

describe('JSONL export and import', () => {
  it('round-trips ids, dates, kinds and tombstones between two homes', async () => {
    fx = await memoryFixture();
    const [a, b] = await fx.memory.add([{ text: 'alpha', kind: 'fact', salience: 0.7 }, { text: 'beta secret' }]);
    await fx.memory.forget(b!.id);
    const lines = [...fx.memory.exportJsonl()];
    expect(JSON.parse(lines[0]!)).toMatchObject({
      v: 1,
      id: a!.id,
      text: 'alpha',
      kind: 'fact',
      createdAt: T0,
      salience: 0.7,
    });
    expect(lines[1]).not.toMatch(/secret/);
    const other = await memoryFixture();
    await other.memory.add([{ text: 'beta secret', id: b!.id }]);
    const report = await other.memory.importJsonl(lines);
    expect(report).toEqual({ imported: 1, updated: 1, skipped: 0, errors: [], warnings: [] });
    expect(other.memory.get(a!.id)).toMatchObject({ text: 'alpha', createdAt: T0, kind: 'fact' });
    expect(other.memory.get(b!.id)).toMatchObject({ status: 'forgotten', text: '' });
    // Importing the same file again changes nothing.
    expect(await other.memory.importJsonl(lines)).toEqual({
      imported: 0,
      updated: 0,
      skipped: 2,
      errors: [],
      warnings: [],
    });
    await other.cleanup();
  });

  it('reports invalid lines by number and applies none of them, the valid ones all', async () => {
    fx = await memoryFixture();
    const id = ulid(T0);
    const lines = [
      JSON.stringify({ v: 1, id, text: 'good one', kind: 'fact', createdAt: T0 }),
      '{"v":1,"text":"broken',
      JSON.stringify({ v: 1, text: 'bad kind', kind: 'dream' }),
      '',
      JSON.stringify({ v: 2, text: 'from the future' }),
      JSON.stringify({ v: 1, id: 'nope', text: 'bad id' }),
      JSON.stringify({ v: 1, text: 'bad salience', salience: 7 }),
      '[1,2]',
      JSON.stringify({ v: 1, text: 'good two' }),
    ];
    const report = await fx.memory.importJsonl(lines);
    expect(report.imported).toBe(2);
    expect(report.errors.map((e) => e.line)).toEqual([2, 3, 5, 6, 7, 8]);
    expect(report.errors[0]!.message).toMatch(/not valid JSON/);
    expect(report.errors[1]!.message).toMatch(/"kind" must be one of/);
    expect(fx.memory.count()).toBe(2);
    expect(fx.db.prepare("SELECT count(*) FROM memories WHERE text LIKE 'bad%'").pluck().get()).toBe(0);
  });

  it('reports progress once per durable batch, from an async source', async () => {
    fx = await memoryFixture({ 'memory.batch.size': 4 });
    async function* source() {
      for (let i = 0; i < 10; i++) yield JSON.stringify({ v: 1, text: `note ${i}` });
    }
    const seen: number[] = [];
    await fx.memory.importJsonl(source(), {
      onProgress: (done) => {
        seen.push(done);
        // Everything acknowledged is already in the database.
        expect(fx.db.prepare('SELECT count(*) FROM memories').pluck().get()).toBe(done);
      },
    });
    expect(seen).toEqual([4, 8, 10]);
  });

  it('an edited text in an import becomes a new revision; a forgotten memory stays forgotten', async () => {
    fx = await memoryFixture();
    const [m, f] = await fx.memory.add([{ text: 'old text' }, { text: 'gone' }]);
    await fx.memory.forget(f!.id);
    const r = await fx.memory.importJsonl([
      JSON.stringify({ v: 1, id: m!.id, text: 'new text' }),
      JSON.stringify({ v: 1, id: f!.id, text: 'gone' }),
    ]);
    expect(r).toMatchObject({ updated: 1, skipped: 1 });
    expect(fx.memory.get(m!.id)).toMatchObject({ text: 'new text', revision: 2 });
    expect(fx.memory.history(m!.id)[0]).toMatchObject({ text: 'old text', reason: 'import' });
    expect(fx.memory.get(f!.id).text).toBe('');
  });

  it('id-less lines get ids from their content: re-imports and repeats change nothing, not even an edit', async () => {
    fx = await memoryFixture();
    const lines = [
      JSON.stringify({ text: 'same words', createdAt: T0 }),
      JSON.stringify({ text: 'same words', actor: 'bob', createdAt: T0 }),
      JSON.stringify({ text: 'same words', createdAt: T0 }),
      JSON.stringify({ text: 'no date' }),
    ];
    expect(await fx.memory.importJsonl(lines)).toMatchObject({ imported: 3, skipped: 1 });
    const ids = fx.memory.list({ limit: 10 }).items.map((m) => m.id);
    const first = fx.memory.list({ limit: 10, actor: 'creator' }).items.find((m) => m.text === 'same words');
    await fx.memory.edit(first!.id, { text: 'edited words' }, 'test');
    expect(await fx.memory.importJsonl(lines)).toMatchObject({ imported: 0, updated: 0, skipped: 4 });
    expect(
      fx.memory
        .list({ limit: 10 })
        .items.map((m) => m.id)
        .sort(),
    ).toEqual([...ids].sort());
    expect(fx.memory.get(first!.id).text).toBe('edited words');
    // The id's time part is the memory's own date.
    expect(first!.id.slice(0, 10)).toBe(ulid(T0).slice(0, 10));
  });

  it('refuses createdAt values that can only be seconds, and reports unknown fields as warnings', async () => {
    fx = await memoryFixture();
    const r = await fx.memory.importJsonl([
      JSON.stringify({ text: 'in seconds', createdAt: 1683554160 }),
      JSON.stringify({ text: 'with tags', tags: ['a'], mood: 'ok' }),
      JSON.stringify({ text: 'in ms', createdAt: 1683554160000 }),
    ]);
    expect(r.errors).toEqual([{ line: 1, message: expect.stringMatching(/looks like seconds \(2023-05-08\)/) }]);
    expect(r.warnings).toEqual([{ line: 2, message: 'ignored unknown fields "tags", "mood"' }]);
    expect(r.imported).toBe(2);
  });

  it('reindex re-embeds everything with the current embedder', async () => {
    fx = await memoryFixture();
    await fx.memory.add([{ text: 'one' }, { text: 'two' }]);
    fx.db.prepare("UPDATE memories SET embedder = 'old/2', vector = x'00'").run();
    const progress: number[] = [];
    expect(await fx.memory.reindex({ onProgress: (d) => progress.push(d) })).toEqual({
      count: 2,
      embedder: 'builtin-hash-v2/384',
    });
    expect(progress).toEqual([2]);
    expect((await fx.memory.recall({ text: 'two', k: 1, peek: true }))[0]!.memory.text).toBe('two');
  });
});

describe('switching embedder', () => {
  it('a home re-embeds at open when the built-in embedder id changed', async () => {
    fx = await memoryFixture();
    await fx.memory.add([{ text: 'the blue door' }, { text: 'the red car' }]);
    fx.db.prepare("UPDATE memories SET embedder = 'builtin-hash-v1/384', vector = x'00000000'").run();
    await fx.reopen();
    expect(
      fx.db
        .prepare("SELECT count(*) FROM memories WHERE embedder = 'builtin-hash-v2/384' AND length(vector) = 1536")
        .pluck()
        .get(),
    ).toBe(2);
    expect((await fx.memory.recall({ text: 'red car', k: 1, peek: true }))[0]!.memory.text).toBe('the red car');
  });
});
