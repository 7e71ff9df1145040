/**
 * Recall of texts the built-in model cannot read (embedder-reads.ts, docs/memory-recall.md "Texts in other scripts").
 * The stand-in below carries the built-in model's id and, like that model (measured: cosine 1.00 between
 * "我昨天在北京吃了烤鸭" and "東京の桜はとても綺麗でした"), gives every text mostly outside the Latin script one and
 * the same vector; Latin texts get the hash embedder's vectors.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { memoryFixture, type MemoryFixture } from '../../testing/memory-fixture.js';
import { embedBuiltin } from './embedder-builtin.js';
import { MODEL_ID } from './embedder-model.js';
import type { Embedder } from './types.js';

const BLIND = embedBuiltin('an unknown token');
const likeTheModel: Embedder = {
  id: MODEL_ID,
  dimensions: BLIND.length,
  async embed(texts) {
    return texts.map((t) =>
      (t.match(/\p{Script=Latin}/gu)?.length ?? 0) * 2 >= (t.match(/\p{L}/gu)?.length ?? 0) ? embedBuiltin(t) : BLIND,
    );
  },
};

let fx: MemoryFixture | undefined;
afterEach(async () => {
  await fx?.cleanup();
  fx = undefined;
});

describe('recall in scripts the model cannot read', () => {
  const texts = [
    '我昨天在北京吃了烤鸭',
    '我妹妹在上海工作',
    '東京の桜はとても綺麗でした',
    '毎朝コーヒーを飲みます',
    '나는 서울에서 살아요',
  ];

  it('answers such a query by its words, and does not take such memories for near-duplicates', async () => {
    const f = (fx = await memoryFixture({}, likeTheModel));
    await f.memory.add([...texts, 'I had coffee with Sam in Leeds'].map((text) => ({ text })));
    for (const [query, want] of [
      ['北京', texts[0]],
      ['上海', texts[1]],
      ['東京', texts[2]],
      ['コーヒー', texts[3]],
      ['서울', texts[4]],
    ] as const) {
      const hits = await f.memory.recall({ text: query, k: 3, peek: true });
      expect(hits[0]?.memory.text).toBe(want);
    }
    // All five share one vector: the near-duplicate rule (cosine ≥ 0.95) would have kept one of them.
    const all = await f.memory.recall({ text: '我 東京 서울 上海 コーヒー', k: 5, peek: true });
    expect(all.map((h) => h.memory.text).sort()).toEqual([...texts].sort());
  });

  it('ranks an English query without the blind vectors', async () => {
    const f = (fx = await memoryFixture({}, likeTheModel));
    await f.memory.add([...texts, 'I had coffee with Sam in Leeds'].map((text) => ({ text })));
    const hits = await f.memory.recall({ text: 'coffee with Sam', k: 6, peek: true });
    expect(hits[0]?.memory.text).toBe('I had coffee with Sam in Leeds');
    for (const h of hits.slice(1)) expect(h.score.cosine ?? 0).toBe(0);
  });
});
