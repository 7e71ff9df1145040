import { existsSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../clock.js';
import { setMeta } from '../store/db.js';
import { createJournal } from '../sync/journal.js';
import { tempDb } from '../../testing/temp-home.js';
import { factRows } from '../../testing/fact-rows.js';
import { readIndexMeta } from './ann-index.js';
import { createBuiltinEmbedder, embedBuiltin } from './embedder-builtin.js';
import { createEmbeddedStore, type EmbeddedStore } from './store-embedded.js';
import { createWriter } from './writer.js';

let t: ReturnType<typeof tempDb>;
afterEach(() => t.cleanup());

const embedder = createBuiltinEmbedder();
const texts = Array.from(
  { length: 300 },
  (_, i) => `note ${i} about ${['rivers', 'music', 'cooking', 'travel', 'birds'][i % 5]} and the number ${i * 7}`,
);

function setup() {
  t = tempDb();
  const clock = fixedClock(Date.UTC(2026, 0, 1));
  const writer = createWriter(t.db, createJournal(t.db, clock, 'DEV'), clock, () => embedder.id);
  const write = (xs: string[]) => writer.insert(factRows(xs));
  const open = async (): Promise<EmbeddedStore> => {
    const s = createEmbeddedStore({ db: t.db, paths: t.paths, embedder, drainChunk: 64 });
    await s.open();
    return s;
  };
  return { writer, write, open };
}

const top = async (s: EmbeddedStore, text: string) =>
  (await s.search(embedBuiltin(text), { limit: 1, filter: {} }))[0]?.id;

describe('embedded store: HNSW index and exact tail', () => {
  it('acknowledged writes are searchable before the index has absorbed them', async () => {
    const { write, open } = setup();
    const s = await open();
    const rows = write(texts);
    await s.probe();
    expect(s.stats()).toMatchObject({ indexed: 0, tail: 300 });
    expect(await top(s, texts[123]!)).toBe(rows[123]!.id);
    await s.flush();
    expect(s.stats()).toMatchObject({ indexed: 300, tail: 0 });
    expect(await top(s, texts[123]!)).toBe(rows[123]!.id);
    await s.close();
  });

  it('saves atomically with its change_seq, reloads, and replays only later changes', async () => {
    const { write, writer, open } = setup();
    const rows = write(texts);
    const s = await open();
    await s.flush();
    const meta = readIndexMeta(t.db)!;
    expect(meta).toMatchObject({ count: 300, embedder: embedder.id, dims: 384 });
    expect(existsSync(t.paths.memoryIndex)).toBe(true);
    await s.close();
    // Changes made while no store was open: one forgotten, one new.
    writer.forgetRow(rows[5]!);
    const [extra] = write(['a brand new note about volcanoes']);
    const again = await open();
    await again.search(embedBuiltin('x'), { limit: 1, filter: {} });
    expect(again.stats()).toMatchObject({ indexed: 300, tail: 2 });
    expect(await top(again, 'volcanoes')).toBe(extra!.id);
    expect(await top(again, texts[5]!)).not.toBe(rows[5]!.id);
    await again.close();
  });

  it('a process that only searches views the saved index and never reads or rewrites it, whatever its tail', async () => {
    const { write, open } = setup();
    const rows = write(texts.slice(0, 200));
    const first = await open();
    await first.flush();
    await first.close();
    const saved = readIndexMeta(t.db)!;

    const reader = await open();
    expect(await top(reader, texts[42]!)).toBe(rows[42]!.id);
    expect(reader.stats()).toMatchObject({ viewed: true, indexed: 200, tail: 0 });
    const few = write(texts.slice(200, 210));
    expect(await top(reader, texts[205]!)).toBe(few[5]!.id);
    await reader.close();
    // Ten changes are left in the tail: the file and its meta are as they were.
    expect(readIndexMeta(t.db)).toEqual(saved);

    // 300 changes written by another process that has not saved yet (a writer still open, as serve or chat).
    const more = write(texts.slice(210, 300).concat(texts.slice(0, 200).map((x) => `${x} again`)));
    const searcher = await open();
    expect(await top(searcher, `${texts[7]!} again`)).toBe(more[97]!.id);
    // Past the background delay: a reader does not start absorbing (which would load the whole index).
    await new Promise((r) => setTimeout(r, 300));
    expect(searcher.stats()).toMatchObject({ viewed: true, tail: 300 });
    await searcher.close();
    expect(readIndexMeta(t.db)).toEqual(saved);
  });

  it('a short-lived process that wrote absorbs a tail over the limit at close, loading the index first', async () => {
    const { write, open } = setup();
    write(texts.slice(0, 200));
    const first = await open();
    await first.flush();
    await first.close();
    const saved = readIndexMeta(t.db)!;
    write(texts.slice(200, 300).concat(texts.slice(0, 200).map((x) => `${x} again`)));
    const adder = await open();
    await adder.search(embedBuiltin('x'), { limit: 1, filter: {} });
    const [mine] = write(['one more note, written by this process']);
    await adder.mirror([mine!]);
    expect(adder.stats()).toMatchObject({ viewed: true, tail: 301 });
    await adder.close();
    expect(readIndexMeta(t.db)).toMatchObject({ count: 501, seq: saved.seq + 301 });
    const later = await open();
    expect(await top(later, `${texts[7]!} again`)).toBeDefined();
    expect(later.stats()).toMatchObject({ viewed: true, indexed: 501, tail: 0 });
    await later.close();
  });

  it('a command that only wrote, without ever loading the index, absorbs a tail over the limit at close', async () => {
    const { write, open } = setup();
    write(texts.slice(0, 100));
    const first = await open();
    await first.flush();
    await first.close();
    const saved = readIndexMeta(t.db)!;
    write(texts.slice(100, 300));
    const adder = await open();
    const mine = write(texts.slice(0, 60).map((x) => `${x}, added by this command`));
    await adder.mirror(mine);
    expect(adder.stats()).toMatchObject({ indexed: 0, tail: 0 });
    await adder.close();
    expect(readIndexMeta(t.db)).toMatchObject({ count: 360, seq: saved.seq + 260 });
  });

  it('absorbing into a viewed index loads it first, and reopens if another process saved a newer one', async () => {
    const { write, open } = setup();
    write(texts.slice(0, 100));
    const a = await open();
    await a.flush();
    await a.close();
    const viewer = await open();
    await viewer.probe();
    expect(viewer.stats()).toMatchObject({ viewed: true, indexed: 100 });
    // Another process absorbs and saves 50 more while this one holds its view.
    write(texts.slice(100, 150));
    const other = await open();
    await other.flush();
    await other.close();
    write(texts.slice(150, 160));
    await viewer.flush();
    expect(viewer.stats()).toMatchObject({ viewed: false, indexed: 160, tail: 0 });
    expect(readIndexMeta(t.db)).toMatchObject({ count: 160 });
    await viewer.close();
  });

  it('rebuilds from SQLite when the file is missing or torn, from another embedder or built with other parameters', async () => {
    const { write, open } = setup();
    const rows = write(texts);
    const s = await open();
    await s.flush();
    await s.close();
    for (const damage of [
      () => writeFileSync(t.paths.memoryIndex, 'garbage'),
      () => setMeta(t.db, 'memory_index', JSON.stringify({ ...readIndexMeta(t.db)!, embedder: 'other/384' })),
      () => setMeta(t.db, 'memory_index', '{not json'),
      // An index saved by an earlier version, built with other graph parameters.
      () => setMeta(t.db, 'memory_index', JSON.stringify({ ...readIndexMeta(t.db)!, graph: undefined })),
    ]) {
      damage();
      const r = await open();
      expect(await top(r, texts[42]!)).toBe(rows[42]!.id);
      expect(r.stats().indexed + r.stats().tail).toBeGreaterThanOrEqual(300);
      await r.flush();
      expect(r.stats()).toMatchObject({ indexed: 300, tail: 0 });
      await r.close();
    }
  });

  it('absorbs the tail in the background', async () => {
    const { write, open } = setup();
    const s = await open();
    write(texts);
    await s.probe();
    for (let i = 0; i < 200 && s.stats().tail > 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(s.stats()).toMatchObject({ tail: 0, indexed: 300 });
    await s.close();
  });

  it('absorbs the tail under a steady stream of writes that never pauses', async () => {
    const { write, open } = setup();
    const s = await open();
    // A write every 20 ms (well inside the 250 ms idle delay) for 1.6 s: an idle-only timer would never fire.
    for (let i = 0; i < 80; i++) {
      write([texts[i]!]);
      await s.probe();
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(s.stats().indexed).toBeGreaterThan(0);
    expect(s.stats().tail).toBeLessThan(80);
    await s.close();
  });

  it('a writer under a steady stream of writes saves once enough changes wait, so other processes scan a short tail', async () => {
    const { write, open } = setup();
    const s = createEmbeddedStore({ db: t.db, paths: t.paths, embedder, drainChunk: 64, saveAfterChanges: 40 });
    await s.open();
    // Ten writes every 20 ms for 1.6 s: no pause for the idle save, and far less than the periodic one's minute.
    for (let i = 0; i < 80; i++) {
      const rows = write(texts.slice((i * 10) % 300, ((i * 10) % 300) + 10).map((x) => `${x} (${i})`));
      await s.mirror(rows);
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(readIndexMeta(t.db)?.count).toBeGreaterThanOrEqual(40);
    const reader = await open();
    await reader.probe();
    expect(reader.stats().viewed).toBe(true);
    expect(reader.stats().tail).toBeLessThan(800 - 40);
    await reader.close();
    await s.close();
  });

  it('a selective filter still finds its few matches among many', async () => {
    const { write, writer, open } = setup();
    write(texts);
    const [mine] = writer.insert([
      {
        text: 'rivers and music',
        kind: 'fact',
        actor: 'ana',
        source: {},
        salience: 0.5,
        pinned: false,
        vector: embedBuiltin('rivers and music'),
      },
    ]);
    const s = await open();
    await s.flush();
    const hits = await s.search(embedBuiltin('note 1 about rivers'), { limit: 5, filter: { actor: 'ana' } });
    expect(hits.map((h) => h.id)).toEqual([mine!.id]);
    await s.close();
  });
});
