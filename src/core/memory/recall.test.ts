import { afterEach, describe, expect, it } from 'vitest';
import { HOUR_MS } from '../clock.js';
import { memoryFixture, type MemoryFixture } from '../../testing/memory-fixture.js';
import { openDatabase } from '../store/db.js';
import { createJournal } from '../sync/journal.js';
import { embedBuiltin } from './embedder-builtin.js';
import { createWriter } from './writer.js';
import { loadReaderAddon } from './ann-reader.js';
import { dot, useNativeDots } from './vectors.js';

let fx: MemoryFixture;
afterEach(() => fx.cleanup());

describe('recall', () => {
  it('returns the score parts of docs/domain.md, and the most relevant first', async () => {
    fx = await memoryFixture({ 'memory.recall.lexicalWeight': 0 });
    await fx.memory.add([
      { text: 'I am learning the cello with Mrs Park', salience: 0.8 },
      { text: 'The train to Lyon leaves at noon' },
    ]);
    fx.clock.advance(168 * HOUR_MS);
    const [top] = await fx.memory.recall({ text: 'which instrument am I learning? the cello?', k: 1, peek: true });
    const sim = dot(
      embedBuiltin('which instrument am I learning? the cello?'),
      embedBuiltin('I am learning the cello with Mrs Park'),
    );
    expect(top!.memory.text).toMatch(/cello/);
    expect(top!.score.similarity).toBeCloseTo(sim, 5);
    expect(top!.score.freshness).toBeCloseTo(0.5, 9);
    expect(top!.score.score).toBeCloseTo(0.9 * sim + 0.05 * 0.5 + 0.05 * 0.8, 5);
    expect(top!.rank).toBe(1);
  });

  it('hybrid: similarity fuses the cosine and BM25 rankings into 0..1, and a rare word finds its memory', async () => {
    fx = await memoryFixture({ 'memory.recall.lexicalWeight': 0.4 });
    await fx.memory.add([
      { text: 'the luthier Rui fixed the bridge' },
      { text: 'we walked over the bridge at night' },
      { text: 'Rui likes football' },
    ]);
    const r = await fx.memory.recall({ text: 'who is Rui?', k: 3, peek: true });
    // All three are candidates: the fused similarity spans 0..1, and both full-text hits outrank the other memory.
    const byText = new Map(r.map((x) => [x.memory.text, x.score.similarity]));
    expect(Math.max(...byText.values())).toBe(1);
    expect(Math.min(...byText.values())).toBe(0);
    expect(byText.get('we walked over the bridge at night')).toBe(0);
    expect(
      r
        .filter((x) => x.score.lexical! > 0)
        .map((x) => x.memory.text)
        .sort(),
    ).toEqual(['Rui likes football', 'the luthier Rui fixed the bridge']);
    expect(Math.max(...r.map((x) => x.score.lexical!))).toBe(1);
  });

  it('freshness and salience break ties between equally similar memories; a pinned memory counts as salient', async () => {
    // The same text said twice is a near-duplicate: only one is shown, the newer.
    fx = await memoryFixture();
    await fx.memory.add([{ text: 'we talked about the garden', salience: 0.5 }]);
    fx.clock.advance(1000 * HOUR_MS);
    await fx.memory.add([{ text: 'we talked about the garden', salience: 0.5 }]);
    const fresh = await fx.memory.recall({ text: 'garden', k: 2, peek: true });
    expect(fresh).toHaveLength(1);
    expect(fresh[0]!.memory.createdAt).toBe(fx.clock.now());
    // With near-duplicates kept, both, the newer first.
    fx.config['memory.recall.duplicate'] = 1;
    const both = await fx.memory.recall({ text: 'garden', k: 2, peek: true });
    expect(both[0]!.memory.createdAt).toBeGreaterThan(both[1]!.memory.createdAt);
    // Equally similar and equally fresh: the more salient first, and a pinned one is as salient as can be.
    const [low, high, pinned] = await fx.memory.add([
      { text: 'the roses need pruning in March', salience: 0.2 },
      { text: 'the roses need pruning in March', salience: 0.9 },
      { text: 'the roses need pruning in March', salience: 0.2, pinned: true },
    ]);
    const ranked = await fx.memory.recall({ text: 'when do the roses need pruning', k: 3, peek: true });
    expect(ranked.map((r) => r.memory.id)).toEqual([pinned!.id, high!.id, low!.id]);
    expect(ranked[0]!.score.salience).toBe(1);
  });

  it('MMR keeps a near-duplicate out in favour of a different relevant memory', async () => {
    fx = await memoryFixture({ 'memory.recall.lambda': 0.5 });
    await fx.memory.add([
      { text: 'my sister Ana lives in Porto' },
      { text: 'my sister Ana lives in Porto now' },
      { text: 'Ana, my sister, is a nurse' },
    ]);
    const plain = await fx.memory.recall({ text: 'my sister Ana lives in Porto', k: 2, peek: true });
    expect(plain.map((r) => r.memory.text)).toContain('Ana, my sister, is a nurse');
    fx.config['memory.recall.lambda'] = 1;
    const greedy = await fx.memory.recall({ text: 'my sister Ana lives in Porto', k: 2, peek: true });
    expect(greedy.map((r) => r.memory.text)).not.toContain('Ana, my sister, is a nurse');
  });

  it('filters by actor and kinds', async () => {
    fx = await memoryFixture();
    await fx.memory.add([
      { text: 'coffee with milk', actor: 'ana', kind: 'fact' },
      { text: 'coffee black', actor: 'creator', kind: 'fact' },
      { text: 'coffee talk', actor: 'creator', kind: 'interaction' },
    ]);
    expect((await fx.memory.recall({ text: 'coffee', actor: 'ana', peek: true })).map((r) => r.memory.text)).toEqual([
      'coffee with milk',
    ]);
    expect(
      (await fx.memory.recall({ text: 'coffee', actor: 'creator', kinds: ['fact'], peek: true })).map(
        (r) => r.memory.text,
      ),
    ).toEqual(['coffee black']);
  });

  it('counts a recall unless peeking', async () => {
    fx = await memoryFixture();
    const [m] = await fx.memory.add([{ text: 'the dog is called Rufus' }]);
    await fx.memory.recall({ text: 'dog name', peek: true });
    expect(fx.memory.get(m!.id).recallCount).toBe(0);
    fx.clock.advance(10);
    await fx.memory.recall({ text: 'dog name' });
    expect(fx.memory.get(m!.id)).toMatchObject({ recallCount: 1, lastRecalledAt: fx.clock.now() });
  });

  it('sees memories written by another process on the same home', async () => {
    fx = await memoryFixture();
    await fx.memory.recall({ text: 'warm up', peek: true });
    // A second connection writes the way another progeny process would.
    const db2 = openDatabase(fx.paths.db);
    createWriter(db2, createJournal(db2, fx.clock, 'OTHER'), fx.clock, () => 'builtin-hash-v2/384').insert([
      {
        text: 'written elsewhere about volcanoes',
        kind: 'fact',
        actor: 'creator',
        source: {},
        salience: 0.5,
        pinned: false,
        vector: embedBuiltin('written elsewhere about volcanoes'),
      },
    ]);
    db2.close();
    expect((await fx.memory.recall({ text: 'volcanoes', k: 1, peek: true }))[0]?.memory.text).toBe(
      'written elsewhere about volcanoes',
    );
  });

  it.skipIf(!('addon' in loadReaderAddon()))(
    'the same memories, order and scores whichever kernel computes the dot products (vectors.ts dots())',
    async () => {
      const { addon } = loadReaderAddon() as {
        addon: { annDots: (q: Float32Array, v: Float32Array[]) => Float64Array };
      };
      let calls = 0;
      const native = (q: Float32Array, v: Float32Array[]) => (calls++, addon.annDots(q, v));
      fx = await memoryFixture({ 'memory.recall.lexicalWeight': 0.4, 'memory.recall.duplicate': 0.9 });
      const topics = ['rivers', 'music', 'cooking', 'travel', 'birds', 'chess', 'tides', 'volcanoes'];
      await fx.memory.add(
        Array.from({ length: 300 }, (_, i) => ({
          text: `${i % 11 ? 'note' : 'memo'} ${i % 40} on ${topics[i % 8]} and ${topics[(i * 3) % 8]}, day ${i % 17}`,
        })),
      );
      // Saved and reopened: the saved index is read by progeny's reader, as `memory search` does.
      await fx.store.flush();
      await fx.reopen();
      const queries = ['birds and chess', 'a memo on volcanoes', 'note 7 on music', 'day 3 travel rivers', 'tides'];
      const recallAll = async (lambda: number) => {
        fx.config['memory.recall.lambda'] = lambda;
        const out = [];
        for (const text of queries) out.push(await fx.memory.recall({ text, k: 8, peek: true }));
        return out;
      };
      for (const lambda of [1, 0.6]) {
        useNativeDots(undefined);
        const inJs = await recallAll(lambda);
        useNativeDots(native);
        calls = 0;
        const inAddon = await recallAll(lambda);
        expect(calls).toBeGreaterThan(queries.length);
        expect(JSON.stringify(inAddon)).toBe(JSON.stringify(inJs));
        expect(inJs.flat().some((r) => (r.score.lexical ?? 0) > 0)).toBe(true);
      }
      expect((fx.store as unknown as { stats: () => object }).stats()).toMatchObject({ reader: true, tail: 0 });
      useNativeDots(undefined);
    },
  );

  it("reads each candidate's row once: the index search's rows are kept, the same results as reading them again", async () => {
    const sql: string[] = [];
    fx = await memoryFixture({ 'memory.recall.lexicalWeight': 0.4 }, undefined, sql);
    const topics = ['rivers', 'music', 'cooking', 'travel', 'birds', 'chess', 'tides', 'volcanoes'];
    await fx.memory.add(
      Array.from({ length: 200 }, (_, i) => ({
        text: `note ${i % 30} on ${topics[i % 8]} and ${topics[(i * 3) % 8]}`,
      })),
    );
    await fx.store.flush();
    await fx.reopen();
    const queries = ['birds and chess', 'a note on volcanoes', 'music 7'];
    const recallAll = async () => {
      const out = [];
      for (const text of queries) out.push(await fx.memory.recall({ text, k: 8, peek: true }));
      return out;
    };
    sql.length = 0;
    const once = await recallAll();
    // The candidates' rows come from the index search's own query: no second read by id.
    const byId = /FROM memories\s+WHERE id IN \(SELECT value FROM json_each/;
    expect(sql.filter((s) => /WHERE label IN/.test(s))).toHaveLength(queries.length);
    expect(sql.filter((s) => byId.test(s))).toEqual([]);
    // Without the rows (as from a store that does not read SQLite), recall reads them by id: the same results.
    const search = fx.store.search.bind(fx.store);
    fx.store.search = async (v, o) => (await search(v, o)).map(({ row: _row, ...c }) => c);
    sql.length = 0;
    const twice = await recallAll();
    expect(sql.filter((s) => byId.test(s))).toHaveLength(queries.length);
    expect(JSON.stringify(twice)).toBe(JSON.stringify(once));
    expect(once.flat().length).toBe(queries.length * 8);
    expect((fx.store as unknown as { stats: () => object }).stats()).toMatchObject({ reader: true, tail: 0 });
  });
});
