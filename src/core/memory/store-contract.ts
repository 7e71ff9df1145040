/**
 * The contract every MemoryStore passes (embedded, qdrant): run it from a test file with a factory that makes a
 * fresh, empty store over a fresh database. Rows are written with the real writer, as the memory service writes
 * them, and then mirrored (types.ts, `mirror`): the store's one meaning for every backend. Vectors are
 * 384-dimensional unit vectors from a seeded generator, so runs are reproducible. `close()` then `open()` on the same
 * instance must find the data again (the store is durable).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../clock.js';
import { seededRandom } from '../random.js';
import type { Db } from '../store/db.js';
import { createJournal } from '../sync/journal.js';
import type { MemoryRow } from './rows.js';
import type { MemoryKind, MemoryStore } from './types.js';
import { dot, normalise, toBlob } from './vectors.js';
import { createWriter } from './writer.js';

export const CONTRACT_DIMS = 384;

function randomUnitVector(rand: () => number, dims = CONTRACT_DIMS): Float32Array {
  return normalise(Float32Array.from({ length: dims }, () => rand() * 2 - 1));
}

/** Ids shaped like ULIDs (some stores validate them), distinct per index. */
const contractId = (i: number): string => `01KCONTRACT${String(i).padStart(15, '0')}`;

export interface ContractStore {
  store: MemoryStore;
  db: Db;
  /** The embedder id the store searches (rows written with another one are not its vectors). */
  embedderId: string;
  cleanup(): Promise<void>;
}

/** Writes memories the way the service does (writer, then mirror) so the store sees exactly what production gives it. */
function table(t: ContractStore) {
  const clock = fixedClock(1_767_225_600_000);
  const writer = createWriter(t.db, createJournal(t.db, clock, 'CONTRACT'), clock, () => t.embedderId);
  const mirrored = async (rows: MemoryRow[]) => {
    await t.store.mirror(rows);
    return rows;
  };
  return {
    add: (specs: { i: number; vector: Float32Array | null; actor?: string; kind?: MemoryKind }[]) =>
      mirrored(
        writer.insert(
          specs.map((p) => ({
            id: contractId(p.i),
            text: `memory ${p.i}`,
            kind: p.kind ?? 'fact',
            actor: p.actor ?? 'creator',
            source: {},
            salience: 0.5,
            pinned: false,
            vector: p.vector,
          })),
        ),
      ),
    edit: async (row: MemoryRow, patch: { vector: Float32Array | null; kind?: MemoryKind }) =>
      (
        await mirrored([
          writer.patch(
            row,
            {
              vector: patch.vector ? toBlob(patch.vector) : null,
              embedder: patch.vector ? t.embedderId : '',
              kind: patch.kind ?? row.kind,
            },
            'edited',
          ),
        ])
      )[0] as MemoryRow,
    forget: (rows: MemoryRow[]) => mirrored(rows.map((r) => writer.forgetRow(r))),
    archive: (rows: MemoryRow[]) => mirrored(rows.map((r) => writer.patch(r, { status: 'archived' }, null))),
  };
}

/** The store under test and its helpers; replaced before each case. */
interface ContractCase {
  store: MemoryStore;
  rows: ReturnType<typeof table>;
  rand: () => number;
  vectors(n: number): { i: number; vector: Float32Array }[];
}

export function runMemoryStoreContract(name: string, makeStore: () => Promise<ContractStore>): void {
  describe(`MemoryStore contract: ${name}`, () => {
    let t: ContractStore;
    const rand = seededRandom(42);
    const cur = {
      rand,
      vectors: (n: number) => Array.from({ length: n }, (_, i) => ({ i, vector: randomUnitVector(rand) })),
    } as ContractCase;
    beforeEach(async () => {
      t = await makeStore();
      cur.store = t.store;
      cur.rows = table(t);
      await cur.store.open();
    });
    afterEach(async () => {
      await cur.store.close();
      await t.cleanup();
    });
    searchCases(cur);
    lifecycleCases(cur);
  });
}

/** Searching: empty, ranking, filters. */
function searchCases(cur: ContractCase): void {
  it('an empty store finds nothing and counts zero', async () => {
    expect(await cur.store.search(randomUnitVector(cur.rand), { limit: 5, filter: {} })).toEqual([]);
    expect(await cur.store.count()).toBe(0);
  });

  it('mirrored rows are searchable at once, best first, with their vectors', async () => {
    const pts = cur.vectors(50);
    await cur.rows.add(pts);
    expect(await cur.store.count()).toBe(50);
    const hits = await cur.store.search(pts[7]!.vector, { limit: 5, filter: {} });
    expect(hits).toHaveLength(5);
    expect(hits[0]!.id).toBe(contractId(7));
    expect(hits[0]!.similarity).toBeCloseTo(1, 2);
    for (let i = 1; i < hits.length; i++) expect(hits[i]!.similarity).toBeLessThanOrEqual(hits[i - 1]!.similarity);
    for (const h of hits) expect(dot(h.vector, pts[Number(h.id.slice(11))]!.vector)).toBeCloseTo(1, 2);
  });

  it('filters by actor and by kinds', async () => {
    const vector = randomUnitVector(cur.rand);
    await cur.rows.add([
      { i: 1, vector, actor: 'ana', kind: 'fact' },
      { i: 2, vector, actor: 'creator', kind: 'fact' },
      { i: 3, vector, actor: 'creator', kind: 'interaction' },
      { i: 4, vector, actor: 'creator', kind: 'summary' },
    ]);
    const ids = async (filter: Parameters<MemoryStore['search']>[1]['filter']) =>
      (await cur.store.search(vector, { limit: 10, filter })).map((h) => h.id).sort();
    expect(await ids({ actor: 'ana' })).toEqual([contractId(1)]);
    expect(await ids({ actor: 'creator', kinds: ['fact', 'summary'] })).toEqual([contractId(2), contractId(4)]);
    expect(await ids({ kinds: ['interaction'] })).toEqual([contractId(3)]);
    expect(await ids({})).toHaveLength(4);
  });
}

/** Rows changing: edits, forgetting and archiving, reopening, and the probe. */
function lifecycleCases(cur: ContractCase): void {
  it('an edited row replaces its vector and payload', async () => {
    const [a, b] = [randomUnitVector(cur.rand), randomUnitVector(cur.rand)];
    const [row] = await cur.rows.add([{ i: 9, vector: a, kind: 'fact' }]);
    await cur.rows.edit(row!, { vector: b, kind: 'summary' });
    expect(await cur.store.count()).toBe(1);
    const [hit] = await cur.store.search(b, { limit: 1, filter: { kinds: ['summary'] } });
    expect(hit?.id).toBe(contractId(9));
    expect(hit!.similarity).toBeCloseTo(1, 2);
    expect(await cur.store.search(b, { limit: 1, filter: { kinds: ['fact'] } })).toEqual([]);
  });

  it('forgotten, archived and unembedded rows are not found or counted', async () => {
    const pts = cur.vectors(10);
    const written = await cur.rows.add(pts);
    await cur.rows.forget([written[3]!]);
    await cur.rows.archive([written[4]!]);
    // An edit whose new vector is not made yet (the re-embedder fills it in later): the old vector must go.
    await cur.rows.edit(written[5]!, { vector: null });
    // A new memory waiting for its first vector: never in the store, and mirroring it must not fail.
    await cur.rows.add([{ i: 99, vector: null }]);
    expect(await cur.store.count()).toBe(7);
    const found = (await cur.store.search(pts[3]!.vector, { limit: 20, filter: {} })).map((h) => h.id);
    expect(found).toHaveLength(7);
    for (const i of [3, 4, 5, 99]) expect(found).not.toContain(contractId(i));
  });

  it('keeps its points across close and open', async () => {
    const pts = cur.vectors(20);
    const written = await cur.rows.add(pts);
    await cur.rows.forget([written[0]!]);
    await cur.store.flush();
    await cur.store.close();
    await cur.store.open();
    expect(await cur.store.count()).toBe(19);
    expect((await cur.store.search(pts[5]!.vector, { limit: 1, filter: {} }))[0]?.id).toBe(contractId(5));
    expect((await cur.store.search(pts[0]!.vector, { limit: 1, filter: {} }))[0]?.id).not.toBe(contractId(0));
  });

  it('probe reports its backend and count', async () => {
    await cur.rows.add([{ i: 1, vector: randomUnitVector(cur.rand) }]);
    const h = await cur.store.probe();
    expect(h).toMatchObject({ ok: true, backend: cur.store.backend });
    if (h.count !== undefined) expect(h.count).toBe(1);
  });
}
