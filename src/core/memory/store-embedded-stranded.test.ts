import { readFileSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../clock.js';
import { createJournal } from '../sync/journal.js';
import { entrySlot, nodeKeys, strandSlot } from '../../testing/ann-strand.js';
import { factRows } from '../../testing/fact-rows.js';
import { tempDb } from '../../testing/temp-home.js';
import { readIndexMeta, writeIndexMeta } from './ann-index.js';
import { loadReaderAddon } from './ann-reader.js';
import { createBuiltinEmbedder, embedBuiltin } from './embedder-builtin.js';
import { STRANDED_MAX, savedIndexReachability, strandedPoints } from './index-reachability.js';
import { createEmbeddedStore, type EmbeddedStore } from './store-embedded.js';
import { createWriter } from './writer.js';

const built = 'addon' in loadReaderAddon();
let t: ReturnType<typeof tempDb>;
afterEach(() => t.cleanup());

const embedder = createBuiltinEmbedder();
const topics = ['rivers', 'music', 'cooking', 'travel', 'birds', 'chess', 'tides'];
const texts = Array.from({ length: 400 }, (_, i) => `note ${i} on ${topics[i % 7]} and ${topics[(i * 3) % 7]}`);

async function open(): Promise<EmbeddedStore> {
  const s = createEmbeddedStore({ db: t.db, paths: t.paths, embedder });
  await s.open();
  return s;
}

const found = async (s: EmbeddedStore, text: string): Promise<string[]> =>
  (await s.search(embedBuiltin(text), { limit: 5, filter: {} })).map((c) => c.id);

/** A home of 400 memories with a saved index, then one memory's node cut from every neighbour list of the file. */
async function strandedHome() {
  t = tempDb();
  const clock = fixedClock(Date.UTC(2026, 0, 1));
  const writer = createWriter(t.db, createJournal(t.db, clock, 'DEV'), clock, () => embedder.id);
  const rows = writer.insert(factRows(texts));
  const first = await open();
  await first.flush();
  await first.close();
  expect(readIndexMeta(t.db)?.unreachable).toEqual([]);
  const bytes = readFileSync(t.paths.memoryIndex);
  const levels = 8 + 400 * bytes.readUInt32LE(4) + 64 + 40;
  const slot = [...Array(400).keys()].find(
    (s) => s > 150 && s !== entrySlot(bytes) && bytes.readInt16LE(levels + 2 * s) === 0,
  ) as number;
  strandSlot(bytes, slot);
  writeFileSync(t.paths.memoryIndex, bytes);
  const label = Number(nodeKeys(bytes)[slot]);
  const row = rows.find((r) => r.label === label)!;
  return { writer, row, text: texts[rows.indexOf(row)]! };
}

describe.skipIf(!built)('embedded store: memories the saved graph cannot reach', () => {
  it('are lost to the vectors until a save lists them; then every process scans them exactly', async () => {
    const { writer, row, text } = await strandedHome();
    const reader = await open();
    expect(await found(reader, text)).not.toContain(row.id);
    await reader.close();

    // A writer loads the file as it is, absorbs a change and saves: the walk after the save lists the node.
    const writing = await open();
    const [added] = writer.insert(factRows(['a memory about lighthouses']));
    await writing.mirror([added!]);
    await writing.flush();
    expect(readIndexMeta(t.db)?.unreachable).toEqual([row.label]);
    expect((await found(writing, text))[0]).toBe(row.id);
    await writing.close();

    const later = await open();
    expect((await found(later, text))[0]).toBe(row.id);
    expect(later.stats()).toMatchObject({ reader: true, indexed: 401, tail: 0 });
    await later.close();
  });

  it('repairUnreachable adds them to the graph again, and nothing else changes', async () => {
    const { row, text } = await strandedHome();
    const store = await open();
    expect(await store.repairUnreachable()).toEqual({ found: 1, readded: 1, left: 0 });
    expect(readIndexMeta(t.db)).toMatchObject({ count: 400, unreachable: [] });
    await store.close();
    const later = await open();
    expect((await found(later, text))[0]).toBe(row.id);
    for (const [i, other] of texts.entries()) if (i % 40 === 0) expect(await found(later, other)).toHaveLength(5);
    expect(await later.repairUnreachable()).toEqual({ found: 0, readded: 0, left: 0 });
    await later.close();
  });

  it('doctor counts apart the listed ones (searched exactly) and the others; the list is bounded', async () => {
    const { row } = await strandedHome();
    const meta = readIndexMeta(t.db)!;
    const labels = (t.db.prepare('SELECT label FROM memories').pluck().all() as number[]).sort((a, b) => a - b);
    expect(savedIndexReachability(t.db, t.paths.memoryIndex, embedder.id)).toMatchObject({
      memories: 1,
      searched: 0,
      ids: [row.id],
    });
    writeIndexMeta(t.db, { ...meta, unreachable: [row.label] });
    expect(savedIndexReachability(t.db, t.paths.memoryIndex, embedder.id)).toMatchObject({ memories: 1, searched: 1 });
    expect(strandedPoints(t.db, labels, embedder.id, meta.seq)).toHaveLength(STRANDED_MAX);
    expect(savedIndexReachability(t.db, t.paths.memoryIndex, 'another-embedder/384')).toBeNull();
  });
});
