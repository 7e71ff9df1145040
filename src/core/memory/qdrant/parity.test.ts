/**
 * Same data, same results: recall through the memory service on the embedded store and on the Qdrant store (over the
 * Qdrant TEST DOUBLE, whose search is exact like the embedded one) returns the same memories in the same order with
 * the same score parts, because both backends hand candidates with vectors to the one scoring and MMR.
 */
import { describe, expect, it } from 'vitest';
import { tempHome } from '../../../testing/temp-home.js';
import { mergeConfig } from '../../config/load.js';
import { createEngine } from '../../engine/create.js';
import { MODEL_DIMENSIONS } from '../embedder-model.js';
import { openDatabase } from '../../store/db.js';
import { migrateMemories } from '../backend-migrate.js';
import { QdrantStore } from './store.js';
import { eachWithQdrantDouble } from '../../../testing/qdrant-store-fixture.js';

const env = eachWithQdrantDouble(() => tempHome());

const TOPICS = [
  'sailing on the lake',
  'baking sourdough bread',
  'the cat named Miso',
  'learning Portuguese',
  'the night shift at the hospital',
  'a trip to Lisbon',
];
const WORDS = [
  'anna',
  'bruno',
  'coffee',
  'rain',
  'music',
  'friends',
  'sunlight',
  'snow',
  'tea',
  'wine',
  'a map',
  'the dog',
  'grandma',
  'a book',
  'the radio',
  'pasta',
  'cheese',
  'a kite',
  'the bus',
  'a storm',
];
const DAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
const QUERIES = [
  'when do we sail',
  'bread recipe',
  'how is Miso',
  'Portuguese lessons',
  'work at night',
  'Lisbon holiday',
  'the lake',
];

describe('recall parity: embedded vs qdrant', () => {
  it('returns the same memories, order and scores for the same data', async () => {
    // Candidates for every memory (5 × 30 ≥ 120): the fused similarity is rescaled over the candidate pool, and an
    // approximate index (the embedded HNSW) may fill the margin of a smaller pool unlike an exact one (the double).
    const flags = {
      'llm.provider': 'offline' as const,
      'memory.qdrant.url': env.double.url,
      'memory.recall.candidates': 30,
    };
    const embedded = await createEngine({ paths: env.fx.paths, config: mergeConfig({ flags }).config, llm: null });
    // Distinct texts (topic × word × day combinations never repeat below 420), so no two vectors tie.
    const texts = Array.from({ length: 120 }, (_, i) => `${TOPICS[i % 6]} with ${WORDS[i % 20]} on ${DAYS[i % 7]}`);
    await embedded.memory.add(texts.map((text, i) => ({ text, kind: i % 5 === 0 ? 'summary' : 'fact' })));
    // The semantic model embeds after the write: recall by meaning once the vectors are there.
    await embedded.memory.embedPending();
    const expected = [];
    for (const q of QUERIES) expected.push(await embedded.memory.recall({ text: q, k: 5, peek: true }));
    await embedded.close();

    const db = openDatabase(env.fx.paths.db);
    const target = new QdrantStore({
      db,
      embedder: { id: 'x', dimensions: MODEL_DIMENSIONS },
      url: env.double.url,
      collection: 'progeny_memories',
      batchSize: 256,
      batchMs: 5,
      timeoutMs: 5_000,
      retries: 1,
    });
    await target.open();
    const report = await migrateMemories({ db, target, to: 'qdrant' });
    expect(report).toMatchObject({ verified: true, sample: { recallAtK: 1 } });
    await target.close();
    db.close();
    env.double.reset();

    const qdrant = await createEngine({
      paths: env.fx.paths,
      config: mergeConfig({ flags: { ...flags, 'memory.backend': 'qdrant' } }).config,
      llm: null,
    });
    try {
      for (const [i, q] of QUERIES.entries()) {
        const got = await qdrant.memory.recall({ text: q, k: 5, peek: true });
        const want = expected[i] ?? [];
        expect(got.map((r) => r.memory.id)).toEqual(want.map((r) => r.memory.id));
        got.forEach((r, j) => {
          expect(r.score.similarity).toBeCloseTo(want[j]?.score.similarity ?? NaN, 5);
          expect(r.score.mmr).toBeCloseTo(want[j]?.score.mmr ?? NaN, 4);
        });
      }
      expect(env.double.requests.filter((r) => r.route === 'query')).toHaveLength(QUERIES.length);
    } finally {
      await qdrant.close();
    }
  });
});
