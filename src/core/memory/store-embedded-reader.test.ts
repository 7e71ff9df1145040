import { afterEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../clock.js';
import { createJournal } from '../sync/journal.js';
import { tempDb } from '../../testing/temp-home.js';
import { factRows } from '../../testing/fact-rows.js';
import type { IndexReader } from './ann-index.js';
import { loadReaderAddon } from './ann-reader.js';
import { createBuiltinEmbedder, embedBuiltin } from './embedder-builtin.js';
import { createEmbeddedStore, type EmbeddedStore } from './store-embedded.js';
import { toBlob } from './vectors.js';
import { createWriter } from './writer.js';

const built = 'addon' in loadReaderAddon();
let t: ReturnType<typeof tempDb>;
afterEach(() => t.cleanup());

const embedder = createBuiltinEmbedder();
const topics = ['rivers', 'music', 'cooking', 'travel', 'birds', 'chess', 'tides'];
const texts = Array.from(
  { length: 400 },
  (_, i) => `note ${i} on ${topics[i % 7]} and ${topics[(i * 3) % 7]}, ${i * 11}`,
);

function setup() {
  t = tempDb();
  const clock = fixedClock(Date.UTC(2026, 0, 1));
  const writer = createWriter(t.db, createJournal(t.db, clock, 'DEV'), clock, () => embedder.id);
  const rows = writer.insert(factRows(texts));
  const open = async (indexReader: IndexReader = 'auto'): Promise<EmbeddedStore> => {
    const s = createEmbeddedStore({ db: t.db, paths: t.paths, embedder, indexReader });
    await s.open();
    return s;
  };
  return { writer, rows, open };
}

const ids = async (s: EmbeddedStore, text: string): Promise<string[]> =>
  (await s.search(embedBuiltin(text), { limit: 8, filter: {} })).map((c) => c.id);

describe.skipIf(!built)("embedded store: the saved index through progeny's reader", () => {
  it("a process that only searches reads the saved file with the reader and answers as usearch's view does", async () => {
    const { writer, rows, open } = setup();
    const first = await open();
    await first.flush();
    await first.close();
    // After the save: one memory forgotten, one edited (a new text and vector), as another process would.
    writer.forgetRow(rows[5]!);
    const edited = 'a note on volcanoes erupting under the sea';
    writer.patch(rows[9]!, { text: edited, vector: toBlob(embedBuiltin(edited)) }, 'edit');

    const ours = await open();
    const theirs = await open('usearch');
    const queries = [...texts.filter((_, i) => i % 9 === 0), edited, texts[5]!, 'birds and chess'];
    for (const q of queries) expect(await ids(ours, q)).toEqual(await ids(theirs, q));
    expect(ours.stats()).toMatchObject({ viewed: true, reader: true, indexed: 400, tail: 2 });
    expect(theirs.stats()).toMatchObject({ viewed: true, reader: false, indexed: 400, tail: 2 });
    expect(await ids(ours, texts[5]!)).not.toContain(rows[5]!.id);
    expect((await ids(ours, edited))[0]).toBe(rows[9]!.id);
    expect((await ours.probe()).detail).toMatch(/read by progeny/);
    expect((await theirs.probe()).detail).toMatch(/viewed by usearch \(memory.indexReader is usearch\)/);
    await ours.close();
    await theirs.close();
  });

  it('a process that absorbs changes loads the index with usearch first, then saves a file the reader opens', async () => {
    const { writer, rows, open } = setup();
    const first = await open();
    await first.flush();
    await first.close();
    const writerStore = await open();
    expect((await ids(writerStore, texts[3]!))[0]).toBe(rows[3]!.id);
    expect(writerStore.stats()).toMatchObject({ reader: true });
    const [added] = writer.insert([
      {
        text: 'a memory about lighthouses',
        kind: 'fact',
        actor: 'creator',
        source: {},
        salience: 0.5,
        pinned: false,
        vector: embedBuiltin('a memory about lighthouses'),
      },
    ]);
    await writerStore.mirror([added!]);
    await writerStore.flush();
    expect(writerStore.stats()).toMatchObject({ viewed: false, reader: false, indexed: 401, tail: 0 });
    await writerStore.close();
    const later = await open();
    expect((await ids(later, 'a memory about lighthouses'))[0]).toBe(added!.id);
    expect(later.stats()).toMatchObject({ reader: true, indexed: 401, tail: 0 });
    await later.close();
  });
});
