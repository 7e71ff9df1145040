/**
 * Recall when the query cannot be embedded (docs/memory-recall.md, "When the vectors cannot be used"): a remote
 * embedder that fails, hangs or changes dimension leaves the words to answer, and the answer says so.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { memoryFixture, type MemoryFixture } from '../../testing/memory-fixture.js';
import { tempDb } from '../../testing/temp-home.js';
import { createBuiltinEmbedder } from './embedder-builtin.js';
import { createQueryVectors } from './query-vector.js';
import type { Embedder, RecallInfo } from './types.js';

type Behaviour = 'ok' | 'fail' | 'hang' | 'dims';

/** A model server's embedder, steerable: answers, fails at once, never answers, or answers another dimension. */
function remoteEmbedder(): Embedder & { behaviour: Behaviour; calls: number } {
  const inner = createBuiltinEmbedder(64);
  const other = createBuiltinEmbedder(32);
  const e = {
    id: 'double:embed',
    remote: true as const,
    behaviour: 'ok' as Behaviour,
    calls: 0,
    get dimensions() {
      return e.behaviour === 'dims' ? 32 : 64;
    },
    async embed(texts: string[], signal?: AbortSignal) {
      e.calls++;
      if (e.behaviour === 'fail') throw new Error('connection refused');
      if (e.behaviour === 'hang')
        return new Promise<Float32Array[]>((_, reject) =>
          signal?.addEventListener('abort', () => reject(new Error('aborted'))),
        );
      return (e.behaviour === 'dims' ? other : inner).embed(texts);
    },
  };
  return e;
}

describe('recall when the query cannot be embedded', () => {
  let fx: MemoryFixture;
  afterEach(() => fx.cleanup());

  const texts = ['The train to Lyon leaves at noon', 'I adopted a kitten named Miso', 'My sister lives in Porto'];

  async function home(e: Embedder): Promise<MemoryFixture> {
    fx = await memoryFixture({ 'embedder.queryTimeoutMs': 200 }, e);
    await fx.memory.add(texts.map((text) => ({ text })));
    // The vectors are made before the first search answers (the re-embedder's catch-up).
    expect((await fx.memory.search({ text: 'kitten', peek: true })).recall).toEqual({ vectors: 'used' });
    return fx;
  }

  it.each<[Behaviour, RegExp]>([
    ['fail', /did not embed the query \(connection refused\)/],
    ['hang', /did not embed the query \(no answer within 200 ms\)/],
    ['dims', /gave the query 32 dimensions, the stored vectors have 64/],
  ])('an embedder that does "%s": found by words, and the answer says so', async (behaviour, reason) => {
    const e = remoteEmbedder();
    await home(e);
    e.behaviour = behaviour;
    const got = await fx.memory.search({ text: 'when does the train to Lyon leave', peek: true });
    expect(got.recall).toEqual({ vectors: 'none', reason: expect.stringMatching(reason) });
    expect(got.results[0]?.memory.text).toBe('The train to Lyon leaves at noon');
    // recall() (the chat turn's, before) answers the same instead of failing.
    expect((await fx.memory.recall({ text: 'where does my sister live', peek: true }))[0]?.memory.text).toBe(
      'My sister lives in Porto',
    );
  });

  it('a query embedded before still uses the stored vectors while the embedder is down', async () => {
    const e = remoteEmbedder();
    await home(e);
    e.behaviour = 'fail';
    expect((await fx.memory.search({ text: 'kitten', peek: true })).recall).toEqual({ vectors: 'used' });
  });

  it('after a timeout the embedder is left out for a while: the next search does not wait again', async () => {
    const e = remoteEmbedder();
    await home(e);
    e.behaviour = 'hang';
    await fx.memory.search({ text: 'first question about Lyon', peek: true });
    const calls = e.calls;
    const got = await fx.memory.search({ text: 'second question about Lyon', peek: true });
    expect(e.calls).toBe(calls);
    expect(got.recall.vectors).toBe('none');
  });

  it('a process whose query embedding failed does not wait on the embedder at exit for the memories it wrote', async () => {
    const e = remoteEmbedder();
    await home(e);
    e.behaviour = 'hang';
    await fx.memory.add([{ text: 'I water the plants on Sundays' }]);
    await fx.memory.search({ text: 'when do I water the plants', peek: true });
    const calls = e.calls;
    await fx.memory.close();
    // Before: close() asked the hanging embedder for the new memory's vector and waited out its 10 s bound.
    expect(e.calls).toBe(calls);
    e.behaviour = 'ok';
  });

  it('the vectors are used again once the embedder answers', async () => {
    const e = remoteEmbedder();
    await home(e);
    e.behaviour = 'fail';
    expect((await fx.memory.search({ text: 'a question about cats', peek: true })).recall.vectors).toBe('none');
    e.behaviour = 'ok';
    expect((await fx.memory.search({ text: 'another question about cats', peek: true })).recall).toEqual({
      vectors: 'used',
    });
  });
});

describe('createQueryVectors', () => {
  it('reports an outage once, and again only after the embedder answered in between', async () => {
    const { db, cleanup } = tempDb();
    try {
      const e = remoteEmbedder();
      const lost: RecallInfo[] = [];
      const query = createQueryVectors({ db, embedder: e, timeoutMs: 200, onUnavailable: (i) => lost.push(i) });
      e.behaviour = 'fail';
      await query('one', true);
      await query('two', true);
      expect(lost).toHaveLength(1);
      e.behaviour = 'ok';
      expect((await query('three', true)).recall).toEqual({ vectors: 'used' });
      e.behaviour = 'fail';
      await query('four', true);
      expect(lost).toHaveLength(2);
    } finally {
      cleanup();
    }
  });

  it('a query in a script the built-in model cannot read: not embedded, and says why', async () => {
    const { db, cleanup } = tempDb();
    try {
      const model = { id: 'builtin-use-lite-v1/512', dimensions: 512, embed: () => Promise.reject(new Error('no')) };
      const got = await createQueryVectors({ db, embedder: model, timeoutMs: 200 })('北京烤鸭', true);
      expect(got).toEqual({ vector: null, recall: { vectors: 'none', reason: expect.stringMatching(/script/) } });
    } finally {
      cleanup();
    }
  });
});
