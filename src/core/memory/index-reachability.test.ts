import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { entrySlot, nodeKeys, strandSlot } from '../../testing/ann-strand.js';
import { ProgenyError } from '../errors.js';
import { createAnnIndex } from './ann-index.js';
import { loadReaderAddon } from './ann-reader.js';
import { fileReachability, type Reachability } from './index-reachability.js';

const built = 'addon' in loadReaderAddon();
const dir = mkdtempSync(join(tmpdir(), 'progeny-reachability-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const dims = 16;

/** Near-alike vectors in a few clusters (the shape that made usearch strand nodes), deterministic. */
function points(n: number): Float32Array[] {
  return Array.from({ length: n }, (_, i) =>
    Float32Array.from(
      { length: dims },
      (_, d) => Math.sin((i % 7) * 3.1 + d) + 0.3 * Math.sin(i * 12.9898 + d * 78.233),
    ),
  );
}

/** A saved index (added on one thread) of `n` points labelled 1..n, minus `removed`: its bytes. */
function saved(n: number, removed: number[] = []): Buffer {
  const index = createAnnIndex(dims);
  const labels = Array.from({ length: n }, (_, i) => i + 1);
  index.add(labels, points(n));
  for (const l of removed) index.remove(l);
  const file = join(dir, 'built.usearch');
  index.save(file);
  return readFileSync(file);
}

function check(bytes: Uint8Array, maxKeys = 20): Reachability | { reason: string } {
  const file = join(dir, 'checked.usearch');
  writeFileSync(file, bytes);
  return fileReachability(file, dims, maxKeys);
}

/** A slot on the base level only, neither the entry point nor a removed member. */
function plainSlot(bytes: Buffer, from: number): number {
  const keys = nodeKeys(bytes);
  const rows = bytes.readUInt32LE(0);
  const levels = 8 + rows * dims + 64 + 40;
  for (let s = from; s < rows; s++)
    if (s !== entrySlot(bytes) && bytes.readInt16LE(levels + 2 * s) === 0 && keys[s] !== 2n ** 64n - 1n) return s;
  throw new Error('no plain slot');
}

describe.skipIf(!built)('the reachability check of a saved index', () => {
  const good = saved(1500);

  it('a healthy index: every member reached', () => {
    expect(check(good)).toEqual({ members: 1500, unreached: 0, labels: [] });
    expect(check(saved(0))).toEqual({ members: 0, unreached: 0, labels: [] });
  });

  it('removed members are walked through and not counted', () => {
    const removed = Array.from({ length: 60 }, (_, i) => 5 * i + 2);
    expect(check(saved(1500, removed))).toEqual({ members: 1440, unreached: 0, labels: [] });
  });

  it('finds exactly the node whose incoming edges were removed, which no search finds by its own vector', () => {
    const bytes = Buffer.from(good);
    const slot = plainSlot(bytes, 700);
    expect(strandSlot(bytes, slot)).toBeGreaterThan(0);
    const key = Number(nodeKeys(bytes)[slot]);
    expect(check(bytes)).toEqual({ members: 1500, unreached: 1, labels: [key] });
    // What the check means: usearch itself no longer finds it, even with its own vector as the query.
    const file = join(dir, 'stranded.usearch');
    writeFileSync(file, bytes);
    const view = createAnnIndex(dims, file, 'view');
    expect(view.search(points(1500)[key - 1]!, 10)).not.toContain(key);
    expect(createAnnIndex(dims, join(dir, 'built.usearch'), 'view').search(points(1500)[key - 1]!, 10)).toContain(key);
  });

  it('counts every stranded node but names at most maxKeys; a stranded removed member is not counted', () => {
    const bytes = Buffer.from(saved(1500, [3]));
    const slots = [plainSlot(bytes, 100), plainSlot(bytes, 400), plainSlot(bytes, 900)];
    for (const s of slots) strandSlot(bytes, s);
    strandSlot(bytes, nodeKeys(bytes).indexOf(2n ** 64n - 1n));
    const r = check(bytes, 2);
    expect(r).toMatchObject({ members: 1499, unreached: 3 });
    const keys = nodeKeys(bytes);
    expect((r as Reachability).labels).toEqual(slots.slice(0, 2).map((s) => Number(keys[s])));
  });

  it('a neighbour slot or count out of range is INDEX_CORRUPT; a file the reader refuses is a reason', () => {
    const x = nodeKeys(good).length;
    const firstList = 8 + x * dims + 64 + 40 + 2 * x + 10; // node 0's base list: u32 count, then its slots
    for (const [at, value] of [
      [firstList + 4, x + 5],
      [firstList, 10_000],
    ] as const) {
      const bytes = Buffer.from(good);
      bytes.writeUInt32LE(value, at);
      expect(() => check(bytes)).toThrow(ProgenyError);
      try {
        check(bytes);
      } catch (err) {
        expect((err as ProgenyError).code).toBe('INDEX_CORRUPT');
      }
    }
    expect(check(good.subarray(0, good.length - 3))).toMatchObject({ reason: expect.stringMatching(/refused/) });
  });

  it('random damage: refused, checked, or INDEX_CORRUPT, never a crash', () => {
    const seen = { refused: 0, checked: 0, damaged: 0 };
    let seed = 11;
    const next = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const graph = 8 + 1500 * dims + 64;
    for (let i = 0; i < 600; i++) {
      const bytes = Buffer.from(good);
      for (let n = 1 + Math.floor(next() * 4); n > 0; n--) {
        const at = graph + Math.floor(next() * (bytes.length - graph));
        bytes[at] = (bytes[at] as number) ^ (1 + Math.floor(next() * 255));
      }
      try {
        const r = check(bytes);
        if ('reason' in r) seen.refused++;
        else {
          expect(r.unreached).toBeLessThanOrEqual(r.members);
          seen.checked++;
        }
      } catch (err) {
        expect((err as ProgenyError).code).toBe('INDEX_CORRUPT');
        seen.damaged++;
      }
    }
    expect(seen.refused).toBeGreaterThan(5);
    expect(seen.checked).toBeGreaterThan(20);
    expect(seen.damaged).toBeGreaterThan(20);
  });
});
