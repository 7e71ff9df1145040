/**
 * The contract every MemoryStore passes (embedded, qdrant): run it from a test file with a factory that makes a
 * fresh, empty store. Points are 384-dimensional unit vectors from a seeded generator, so runs are reproducible.
 * `close()` then `open()` on the same instance must find the data again (the store is durable).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MemoryKind, MemoryStore, VectorPoint } from './types.js';
import { seededRandom } from '../random.js';
import { dot, normalise } from './vectors.js';

export { seededRandom };

export const CONTRACT_DIMS = 384;

export function randomUnitVector(rand: () => number, dims = CONTRACT_DIMS): Float32Array {
  return normalise(Float32Array.from({ length: dims }, () => rand() * 2 - 1));
}

let nextLabel = 1;
export function point(id: string, vector: Float32Array, actor = 'creator', kind: MemoryKind = 'fact'): VectorPoint {
  return { id, label: nextLabel++, vector, payload: { actor, kind, createdAt: 1_767_225_600_000, salience: 0.5 } };
}

/** Ids shaped like ULIDs (some stores validate them), distinct per index. */
export const contractId = (i: number): string => `01KCONTRACT${String(i).padStart(15, '0')}`;

export function runMemoryStoreContract(
  name: string,
  makeStore: () => Promise<{ store: MemoryStore; cleanup(): Promise<void> }>,
): void {
  describe(`MemoryStore contract: ${name}`, () => {
    let store: MemoryStore;
    let cleanup: () => Promise<void>;
    const rand = seededRandom(42);
    beforeEach(async () => {
      ({ store, cleanup } = await makeStore());
      await store.open();
    });
    afterEach(async () => {
      await store.close();
      await cleanup();
    });

    it('an empty store finds nothing and counts zero', async () => {
      expect(await store.search(randomUnitVector(rand), { limit: 5, filter: {} })).toEqual([]);
      expect(await store.count()).toBe(0);
    });

    it('upserted points are searchable at once, best first, with their vectors', async () => {
      const pts = Array.from({ length: 50 }, (_, i) => point(contractId(i), randomUnitVector(rand)));
      await store.upsert(pts);
      expect(await store.count()).toBe(50);
      const q = pts[7]!.vector;
      const hits = await store.search(q, { limit: 5, filter: {} });
      expect(hits).toHaveLength(5);
      expect(hits[0]!.id).toBe(contractId(7));
      expect(hits[0]!.similarity).toBeCloseTo(1, 2);
      for (let i = 1; i < hits.length; i++) expect(hits[i]!.similarity).toBeLessThanOrEqual(hits[i - 1]!.similarity);
      for (const h of hits) expect(dot(h.vector, pts[Number(h.id.slice(11))]!.vector)).toBeCloseTo(1, 2);
    });

    it('filters by actor and by kinds', async () => {
      const v = randomUnitVector(rand);
      await store.upsert([
        point(contractId(1), v, 'ana', 'fact'),
        point(contractId(2), v, 'creator', 'fact'),
        point(contractId(3), v, 'creator', 'interaction'),
        point(contractId(4), v, 'creator', 'summary'),
      ]);
      const ids = async (filter: Parameters<MemoryStore['search']>[1]['filter']) =>
        (await store.search(v, { limit: 10, filter })).map((h) => h.id).sort();
      expect(await ids({ actor: 'ana' })).toEqual([contractId(1)]);
      expect(await ids({ actor: 'creator', kinds: ['fact', 'summary'] })).toEqual([contractId(2), contractId(4)]);
      expect(await ids({ kinds: ['interaction'] })).toEqual([contractId(3)]);
      expect(await ids({})).toHaveLength(4);
    });

    it('upserting an existing id replaces its vector and payload', async () => {
      const a = randomUnitVector(rand);
      const b = randomUnitVector(rand);
      const p = point(contractId(9), a, 'creator');
      await store.upsert([p]);
      await store.upsert([{ ...p, vector: b, payload: { ...p.payload, actor: 'ana' } }]);
      expect(await store.count()).toBe(1);
      const [hit] = await store.search(b, { limit: 1, filter: { actor: 'ana' } });
      expect(hit?.id).toBe(contractId(9));
      expect(hit!.similarity).toBeCloseTo(1, 2);
      expect(await store.search(b, { limit: 1, filter: { actor: 'creator' } })).toEqual([]);
    });

    it('removed points are no longer found or counted', async () => {
      const pts = Array.from({ length: 10 }, (_, i) => point(contractId(i), randomUnitVector(rand)));
      await store.upsert(pts);
      await store.remove([
        { id: pts[3]!.id, label: pts[3]!.label },
        { id: pts[4]!.id, label: pts[4]!.label },
      ]);
      expect(await store.count()).toBe(8);
      const hits = await store.search(pts[3]!.vector, { limit: 10, filter: {} });
      expect(hits.map((h) => h.id)).not.toContain(pts[3]!.id);
      expect(hits.map((h) => h.id)).not.toContain(pts[4]!.id);
      await store.remove([{ id: contractId(999), label: 999_999 }]);
    });

    it('keeps its points across close and open', async () => {
      const pts = Array.from({ length: 20 }, (_, i) => point(contractId(i), randomUnitVector(rand)));
      await store.upsert(pts);
      await store.remove([{ id: pts[0]!.id, label: pts[0]!.label }]);
      await store.flush();
      await store.close();
      await store.open();
      expect(await store.count()).toBe(19);
      expect((await store.search(pts[5]!.vector, { limit: 1, filter: {} }))[0]?.id).toBe(pts[5]!.id);
      expect((await store.search(pts[0]!.vector, { limit: 1, filter: {} }))[0]?.id).not.toBe(pts[0]!.id);
    });

    it('probe reports its backend and count', async () => {
      await store.upsert([point(contractId(1), randomUnitVector(rand))]);
      const h = await store.probe();
      expect(h).toMatchObject({ ok: true, backend: store.backend });
      if (h.count !== undefined) expect(h.count).toBe(1);
    });
  });
}
