import { spawnSync } from 'node:child_process';
import { readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { modelCopy, zeroRegion } from '../../testing/model-copy.js';
import { tempHome } from '../../testing/temp-home.js';
import { createBuiltinEmbedder } from './embedder-builtin.js';
import { createFallbackEmbedder } from './embedder-fallback.js';
import { createModelEmbedder, MAX_CHARS } from './embedder-model.js';
import { loadAddon } from './embedder-native.js';
import { dot } from './vectors.js';

// `npm run build` compiles the addon (scripts/build-native.mjs) and says so when it cannot; CI must have it.
const built = 'addon' in loadAddon();
if (!built && process.env.CI === 'true') throw new Error('the native embedder is not built (npm run build)');

describe.skipIf(!built)('native embedder (our C++ forward pass, docs/embeddings.md "The runtime")', () => {
  const native = createModelEmbedder({ runtime: 'native' });
  const wasm = createModelEmbedder({ runtime: 'wasm' });
  afterAll(() => Promise.all([native.close(), wasm.close()]));

  it('makes the vectors of the WebAssembly runtime (cosine ≥ 0.9999), other scripts and clipped texts included', async () => {
    const texts = [
      'I adopted a kitten',
      'Yes, last Tuesday!',
      '猫を飼い始めました',
      '🐱🎉👍🏽 ok',
      'שלום עולם, מה שלומך',
      'long '.repeat(400),
      '😀'.repeat(MAX_CHARS),
      'a (473493)',
    ];
    const [a, b] = [await native.embed(texts), await wasm.embed(texts)];
    expect(native.runtime()).toMatchObject({ runtime: 'native' });
    expect(wasm.runtime()).toMatchObject({ runtime: 'wasm' });
    texts.forEach((_, i) => {
      expect(a[i]).toHaveLength(512);
      expect(dot(a[i]!, a[i]!)).toBeCloseTo(1, 4);
      expect(dot(a[i]!, b[i]!)).toBeGreaterThan(0.9999);
    });
  }, 60_000);

  it('the AVX2 and baseline kernels (PROGENY_NATIVE_ISA) make the same vectors as the best one', async () => {
    const texts = ['I adopted a kitten', 'The train to Lyon leaves at noon, platform 4'];
    const best = await native.embed(texts);
    const source = new URL('./embedder-model.ts', import.meta.url).href;
    const script = `const { createModelEmbedder } = await import(${JSON.stringify(source)});
      const e = createModelEmbedder({ runtime: 'native' });
      const vs = await e.embed(${JSON.stringify(texts)});
      console.log(JSON.stringify({ runtime: e.runtime().detail, vs: vs.map((v) => Array.from(v)) }));
      await e.close();`;
    for (const isa of ['avx2', 'generic']) {
      const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
        encoding: 'utf8',
        env: { ...process.env, PROGENY_NATIVE_ISA: isa },
        timeout: 60_000,
      });
      expect(r.status, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout) as { runtime: string; vs: number[][] };
      expect(out.runtime).toContain(`(${isa} kernels)`);
      out.vs.forEach((v, i) => expect(dot(Float32Array.from(v), best[i]!)).toBeGreaterThan(0.9999));
    }
  }, 120_000);

  it('gives blank texts the zero vector, embeds a huge text, and answers batches in order', async () => {
    const huge = 'word '.repeat(200_000);
    const vs = await native.embed(['', '   ', huge, 'I got a new cat', '']);
    expect(Array.from(vs[0]!).every((x) => x === 0)).toBe(true);
    expect(Array.from(vs[4]!).every((x) => x === 0)).toBe(true);
    expect(dot(vs[2]!, vs[2]!)).toBeCloseTo(1, 4);
    const [cat] = await native.embed(['I got a new cat']);
    expect(Array.from(vs[3]!)).toEqual(Array.from(cat!));
  });

  it('releases the model when idle and loads it again for the next text', async () => {
    const e = createModelEmbedder({ runtime: 'native', idleMs: 50 });
    try {
      const [first] = await e.embed(['I adopted a kitten']);
      await vi.waitFor(() => expect(e.status().state).toBe('idle'), { timeout: 5_000 });
      const [again] = await e.embed(['I adopted a kitten']);
      expect(Array.from(again!)).toEqual(Array.from(first!));
    } finally {
      await e.close();
    }
  });

  it('a truncated weight shard: unavailable, and the fallback embeds with the hash embedder', async () => {
    const copy = modelCopy();
    truncateSync(join(copy.dir, 'group1-shard3of7'), 1000);
    const notices: string[] = [];
    const model = createModelEmbedder({ runtime: 'native', modelDir: copy.dir });
    const f = createFallbackEmbedder(model, createBuiltinEmbedder(), (d) => notices.push(d));
    try {
      await expect(model.load()).rejects.toMatchObject({ code: 'EMBEDDER_UNAVAILABLE' });
      const [v] = await f.embed(['I adopted a kitten']);
      expect(v).toHaveLength(384);
      expect(notices).toEqual([expect.stringMatching(/did not load \(tensor \d+ lies beyond the weight files/)]);
    } finally {
      await f.close();
      copy.cleanup();
    }
  });

  // Zeros where weights were (a crash during an install can leave them) load without error and give every text a
  // wrong vector: the load probe's vector must be the model's (embedder-fingerprint.ts).
  it('weights damaged in a way that still loads: unavailable, and says so', async () => {
    const copy = modelCopy();
    zeroRegion(join(copy.dir, 'group1-shard5of7'), 1_000_000, 2_000_000);
    const model = createModelEmbedder({ runtime: 'native', modelDir: copy.dir });
    try {
      await expect(model.load()).rejects.toMatchObject({ code: 'EMBEDDER_UNAVAILABLE' });
      expect(model.status().detail).toMatch(/the weights are not the model's: its vector for "ready" has/);
    } finally {
      await model.close();
      copy.cleanup();
    }
  });

  it('a model.json whose tensors differ from the graph this pass implements fails with the tensor named', async () => {
    const copy = modelCopy();
    const path = join(copy.dir, 'model.json');
    const json = JSON.parse(readFileSync(path, 'utf8')) as { weightsManifest: { weights: { shape: number[] }[] }[] };
    const embeddings = json.weightsManifest[0]!.weights.find((w) => w.shape.join() === '8002,256')!;
    embeddings.shape = [8002, 255];
    writeFileSync(path, JSON.stringify(json));
    const model = createModelEmbedder({ runtime: 'native', modelDir: copy.dir });
    try {
      await expect(model.embed(['x'])).rejects.toThrow(/module\/Embeddings_en is 8002x255, expected 8002x256/);
    } finally {
      await model.close();
      copy.cleanup();
    }
  });
});

describe('native embedder missing or broken', () => {
  const home = tempHome('progeny-native-addon-');
  afterAll(() => home.cleanup());

  it('auto: a missing addon means the WebAssembly runtime, and says why', async () => {
    const e = createModelEmbedder({ runtime: 'auto', addonPath: join(home.paths.home, 'none.node') });
    try {
      expect(e.runtime()).toEqual({
        runtime: 'wasm',
        detail: expect.stringMatching(/not built .*none\.node is missing/),
      });
      const [v] = await e.embed(['I adopted a kitten']);
      expect(dot(v!, v!)).toBeCloseTo(1, 4);
      expect(e.stats().workers).toBe(1);
    } finally {
      await e.close();
    }
  }, 60_000);

  it('auto: a file that is no addon is reported as such; native then fails and the fallback tells', async () => {
    const bad = join(home.paths.home, 'bad.node');
    writeFileSync(bad, 'not an ELF file');
    expect(createModelEmbedder({ addonPath: bad }).runtime()).toEqual({
      runtime: 'wasm',
      detail: expect.stringMatching(/does not load .*; using WebAssembly$/),
    });
    const notices: string[] = [];
    const strict = createModelEmbedder({ runtime: 'native', addonPath: bad });
    const f = createFallbackEmbedder(strict, createBuiltinEmbedder(), (d) => notices.push(d));
    try {
      const [v] = await f.embed(['I adopted a kitten']);
      expect(v).toHaveLength(384);
      expect(notices).toEqual([expect.stringMatching(/unavailable: the native addon does not load/)]);
    } finally {
      await f.close();
    }
  });
});
