import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ProgenyError } from '../errors.js';
import { HNSW, createAnnIndex, spread, type AnnIndex } from './ann-index.js';
import { loadReaderAddon, openAnnReader, type AnnReaderAddon } from './ann-reader.js';
import { dot } from './vectors.js';

const built = 'addon' in loadReaderAddon();
const dir = mkdtempSync(join(tmpdir(), 'progeny-ann-reader-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const options = { expansion: HNSW.expansionSearch, prepare: spread };

/** A seeded generator (mulberry32) and normal draws, so a failure reproduces. */
function rng(seed: number): { next: () => number; normal: () => number } {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = (): number => Math.sqrt(-2 * Math.log(next() || 1e-12)) * Math.cos(2 * Math.PI * next());
  return { next, normal };
}

/** Clustered unit vectors (like embeddings: many near neighbours), `n` of them. */
function vectors(n: number, dims: number, seed: number): Float32Array[] {
  const r = rng(seed);
  const centres = Array.from({ length: 24 }, () => Float32Array.from({ length: dims }, r.normal));
  return Array.from({ length: n }, (_, i) => {
    const c = centres[i % centres.length] as Float32Array;
    const v = Float32Array.from({ length: dims }, (_, d) => (c[d] as number) + 0.8 * r.normal());
    const norm = Math.sqrt(v.reduce((acc, x) => acc + x * x, 0));
    return v.map((x) => x / norm);
  });
}

/** Saves an index of `points` labelled 10·i + 2^33 (keys above 32 bits), minus `removed`, and returns its file. */
function saved(name: string, points: Float32Array[], removed: number[] = []): string {
  const index = createAnnIndex(points[0]?.length ?? 8);
  index.add(
    points.map((_, i) => label(i)),
    points,
  );
  for (const l of removed) index.remove(l);
  const file = join(dir, name);
  index.save(file);
  return file;
}
const label = (i: number): number => 2 ** 33 + 10 * i;

function exactTop(points: Float32Array[], q: Float32Array, k: number, skip: Set<number>): number[] {
  const sims = points.map((v, i) => {
    let s = 0;
    for (let d = 0; d < v.length; d++) s += (v[d] as number) * (q[d] as number);
    return { l: label(i), s };
  });
  return sims
    .filter((x) => !skip.has(x.l))
    .sort((a, b) => b.s - a.s)
    .slice(0, k)
    .map((x) => x.l);
}

const overlap = (a: number[], b: number[]): number => a.filter((x) => b.includes(x)).length / Math.max(1, b.length);

function reader(file: string, dims: number): AnnIndex {
  const got = openAnnReader(file, dims, options);
  if (!('index' in got)) throw new Error(got.reason);
  return got.index;
}

describe.skipIf(!built)('the index reader against usearch', () => {
  const dims = 48;
  const points = vectors(4000, dims, 7);
  const queries = vectors(300, dims, 99);
  const k = 10;

  function compare(file: string, removed: Set<number>): void {
    const ours = reader(file, dims);
    const theirs = createAnnIndex(dims, file, 'view');
    expect(ours.size()).toBe(theirs.size());
    let same = 0;
    let recallOurs = 0;
    let recallTheirs = 0;
    for (const q of queries) {
      const a = ours.search(q, k);
      const b = theirs.search(q, k);
      expect(a).toHaveLength(k);
      for (const l of a) expect(removed.has(l)).toBe(false);
      same += overlap(a, b);
      const exact = exactTop(points, q, k, removed);
      recallOurs += overlap(a, exact);
      recallTheirs += overlap(b, exact);
    }
    // Near-ties may order differently (usearch's approximate rsqrt), so not every list is identical.
    expect(same / queries.length).toBeGreaterThan(0.97);
    expect(recallOurs / queries.length).toBeGreaterThanOrEqual(recallTheirs / queries.length - 0.01);
    expect(recallOurs / queries.length).toBeGreaterThan(0.9);
  }

  it('finds what usearch finds on the same file, at least as close to exact search', () => {
    compare(saved('full.usearch', points), new Set());
  });

  it('walks through removed members without returning them', () => {
    const removed = points.map((_, i) => label(i)).filter((_, i) => i % 7 === 3);
    const file = saved('removed.usearch', points, removed);
    compare(file, new Set(removed));
    const ours = reader(file, dims);
    expect(ours.contains(label(3))).toBe(false);
    expect(ours.contains(label(4))).toBe(true);
  });

  it('an empty index, a query past the size, and a read-only index', () => {
    const empty = reader(saved('empty.usearch', []), 8);
    expect(empty.size()).toBe(0);
    expect(empty.search(new Float32Array(8).fill(1), 5)).toEqual([]);
    const small = reader(
      saved(
        'small.usearch',
        points.slice(0, 5).map((v) => v.slice(0, 8)),
      ),
      8,
    );
    expect(small.search(points[0]!.slice(0, 8), 50)).toHaveLength(5);
    expect(() => small.add([1], [new Float32Array(8)])).toThrow(ProgenyError);
  });

  it('without the addon, or with a build that has no reader, there is a reason instead', () => {
    const file = saved('noaddon.usearch', points.slice(0, 20));
    const missing = openAnnReader(file, dims, { ...options, addonFile: join(dir, 'missing.node') });
    expect('reason' in missing && missing.reason).toMatch(/not built/);
    const notAddon = join(dir, 'not-an-addon.node');
    writeFileSync(notAddon, 'not a shared object');
    expect(loadReaderAddon(notAddon)).toMatchObject({ reason: expect.stringMatching(/does not load/) });
    // Loaded once per path: the same exports each time.
    const once = loadReaderAddon();
    expect('addon' in once && once.addon).toBe((loadReaderAddon() as { addon: AnnReaderAddon }).addon);
  });

  it('a file of another dimension is refused, for usearch to view', () => {
    const got = openAnnReader(saved('dims.usearch', points.slice(0, 50)), dims + 1, options);
    expect('reason' in got && got.reason).toMatch(/dimension/);
  });
});

describe.skipIf(!built)('the index reader on damaged files', () => {
  const dims = 16;
  const points = vectors(400, dims, 3);
  const good = readFileSync(saved('good.usearch', points));
  const head = 8 + points.length * dims;

  /** Opens bytes with the reader: 'refused', or what its searches gave ('ok' or a damaged-index error). */
  function attempt(bytes: Uint8Array, name = 'bad.usearch'): 'refused' | 'ok' | 'damaged' {
    const file = join(dir, name);
    writeFileSync(file, bytes);
    const got = openAnnReader(file, dims, options);
    if ('reason' in got) return 'refused';
    let outcome: 'ok' | 'damaged' = 'ok';
    for (const q of points.slice(0, 6)) {
      try {
        for (const l of got.index.search(q, 10)) expect(Number.isInteger(l)).toBe(true);
      } catch (err) {
        expect(err).toBeInstanceOf(ProgenyError);
        expect((err as ProgenyError).code).toBe('INDEX_CORRUPT');
        outcome = 'damaged';
      }
    }
    return outcome;
  }

  it('refuses an empty, truncated, extended, wrong-version or foreign file', () => {
    expect(attempt(new Uint8Array(0))).toBe('refused');
    for (const cut of [1, 7, head - 1, head + 30, head + 64 + 39, good.length - 1]) {
      expect(attempt(good.subarray(0, cut))).toBe('refused');
    }
    expect(attempt(Buffer.concat([good, Buffer.alloc(4)]))).toBe('refused');
    const version = Buffer.from(good);
    version.writeUInt16LE(3, head + 7);
    expect(attempt(version)).toBe('refused');
    const metric = Buffer.from(good);
    metric[head + 13] = 'l'.charCodeAt(0);
    expect(attempt(metric)).toBe('refused');
    expect(attempt(Buffer.from('not an index at all, just some text of a reasonable length'))).toBe('refused');
  });

  it('any random corruption is refused, searched or reported as a damaged index, never a crash', () => {
    const r = rng(2026);
    const seen = { refused: 0, ok: 0, damaged: 0 };
    const graph = head + 64;
    for (let i = 0; i < 1500; i++) {
      const bytes = Buffer.from(good);
      // Half the damage in the graph (headers, levels, neighbour lists), where a reader could be misled.
      for (let n = 1 + Math.floor(r.next() * 4); n > 0; n--) {
        const at =
          r.next() < 0.5 ? graph + Math.floor(r.next() * (bytes.length - graph)) : Math.floor(r.next() * bytes.length);
        bytes[at] = (bytes[at] as number) ^ (1 << Math.floor(r.next() * 8)) ^ (r.next() < 0.3 ? 0xff : 0);
      }
      seen[attempt(bytes, `fuzz-${i % 8}.usearch`)]++;
    }
    // Each outcome happens: the checks at open, the checks during a search, and harmless damage (vector bytes).
    expect(seen.refused).toBeGreaterThan(50);
    expect(seen.damaged).toBeGreaterThan(20);
    expect(seen.ok).toBeGreaterThan(50);
  });
});

describe.skipIf(!built)("the addon's dot products", () => {
  const addon = (loadReaderAddon() as { addon: AnnReaderAddon }).addon;

  it('equal dot() bit for bit: any lengths, magnitudes from 1e-30 to 1e30, zeros of both signs, NaN and infinities', () => {
    const r = rng(7);
    const special = [0, -0, NaN, Infinity, -Infinity, 3.4e38, 1e-45];
    const draw = (n: number, spread: number) =>
      Float32Array.from({ length: n }, () =>
        r.next() < 0.002
          ? special[Math.floor(r.next() * special.length)]!
          : r.normal() * 10 ** ((r.next() - 0.5) * spread),
      );
    let checked = 0;
    for (let round = 0; round < 200; round++) {
      const spread = round % 2 ? 60 : 2;
      const q = draw([384, 383, 1, 0, 768][round % 5]!, spread);
      const vectors = Array.from({ length: 12 }, (_, i) =>
        draw(i % 4 === 0 ? q.length + (i % 3) - 1 : q.length, spread),
      );
      const got = addon.annDots!(q, vectors);
      expect(got).toBeInstanceOf(Float64Array);
      vectors.forEach((x, i) => expect(Object.is(got[i], dot(q, x)), `round ${round}, vector ${i}`).toBe(true));
      checked += vectors.length;
    }
    expect(checked).toBe(2400);
  });

  it('refuse anything but a Float32Array query and an array of Float32Arrays', () => {
    const q = new Float32Array(4);
    expect(() => addon.annDots!(new Float64Array(4) as never, [q])).toThrow(TypeError);
    expect(() => addon.annDots!(q, q as never)).toThrow(TypeError);
    expect(() => addon.annDots!(q, [q, new Uint8Array(16) as never])).toThrow(TypeError);
    expect([...addon.annDots!(q, [])]).toEqual([]);
  });
});
