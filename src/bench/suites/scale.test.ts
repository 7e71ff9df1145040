import { afterEach, expect, it } from 'vitest';
import { fixedClock } from '../../core/clock.js';
import { readIndexMeta } from '../../core/memory/ann-index.js';
import { createBuiltinEmbedder, createEmbeddedStore, embedBuiltin } from '../../core/memory/index.js';
import { createWriter } from '../../core/memory/writer.js';
import { createJournal } from '../../core/sync/journal.js';
import { tempDb } from '../../testing/temp-home.js';
import { rebuildIndex } from './scale.js';

let t: ReturnType<typeof tempDb>;
afterEach(() => t.cleanup());

it("measuring a rebuild leaves the home's own index in use: later processes view it and replay only what it lacks", async () => {
  t = tempDb();
  const clock = fixedClock(Date.UTC(2026, 0, 1));
  const embedder = createBuiltinEmbedder();
  const writer = createWriter(t.db, createJournal(t.db, clock, 'DEV'), clock, () => embedder.id);
  const text = (i: number) => `note ${i} about ${['rivers', 'music', 'birds'][i % 3]} and the number ${i * 7}`;
  const write = (from: number, to: number) =>
    writer.insert(
      Array.from({ length: to - from }, (_, k) => from + k).map((i) => ({
        text: text(i),
        kind: 'fact' as const,
        actor: 'creator',
        source: {},
        salience: 0.5,
        pinned: false,
        vector: embedBuiltin(text(i)),
      })),
    );
  write(0, 200);
  const first = createEmbeddedStore({ db: t.db, paths: t.paths, embedder });
  await first.flush();
  await first.close();
  const saved = readIndexMeta(t.db);
  // Written since the home's index was saved: the rebuilt one has them, the home's file does not.
  write(200, 210);

  await rebuildIndex({ db: t.db, paths: t.paths }, t.paths.home);

  expect(readIndexMeta(t.db)).toEqual(saved);
  const later = createEmbeddedStore({ db: t.db, paths: t.paths, embedder });
  await later.probe();
  expect(later.stats()).toMatchObject({ viewed: true, indexed: 200, tail: 10 });
  await later.close();
});
