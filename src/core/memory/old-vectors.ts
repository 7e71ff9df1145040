/**
 * The old-vector channel of recall during an embedder switch (docs/memory-recall.md, "During an embedder switch"): a memory not
 * yet re-embedded keeps the vector its former embedder made. Those vectors are searched with the query embedded by
 * that same embedder (vectors of two embedders are never compared), exactly, straight from SQLite, and recall fuses
 * the result as one more ranking (recall.ts). They are held in memory while the switch lasts (about what the current
 * index holds for as many memories), so a recall costs a dot product per stale memory, not a scan of SQLite. An embedder that cannot answer at once (a provider that is down or
 * slow) is skipped for a while: recall never waits on it. Once no memory carries another embedder's vector, the
 * channel costs two index probes.
 */
import type { Db } from '../store/db.js';
import { createBuiltinEmbedder } from './embedder-builtin.js';
import { FlatVectors } from './flat-vectors.js';
import type { Embedder, MemoryKind, VectorFilter } from './types.js';
import { fromBlob } from './vectors.js';

/** The embedder that made vectors with this id, if this process can run it (null: that channel is skipped). */
export type OldEmbedderFor = (id: string) => Embedder | null;

export interface OldVectorHit {
  id: string;
  /** Cosine to the query as embedded by `embedder`: comparable only with hits of the same embedder. */
  cosine: number;
  embedder: string;
}

/** How long a query embedding by an old embedder may take before that embedder is skipped. */
export const OLD_QUERY_MS = 1_000;
/** How long an old embedder that failed or was too slow is left out before it is asked again. */
export const OLD_RETRY_MS = 60_000;

/** The hash embedder of any dimension: its vectors can always be remade, in microseconds. */
export const hashEmbedderFor: OldEmbedderFor = (id) => {
  const m = /^builtin-hash-v2\/(\d+)$/.exec(id);
  return m ? createBuiltinEmbedder(Number(m[1])) : null;
};

/**
 * The query as each former embedder embeds it: null when that embedder cannot be run here, failed, or took longer
 * than OLD_QUERY_MS (then it is left out for OLD_RETRY_MS: a provider that is down never slows recall down twice).
 */
function queryEmbedder(embedderFor: OldEmbedderFor) {
  const embedders = new Map<string, Embedder | null>();
  const skippedUntil = new Map<string, number>();
  return async (id: string, text: string): Promise<Float32Array | null> => {
    if (!embedders.has(id)) embedders.set(id, embedderFor(id));
    const e = embedders.get(id);
    if (!e || (skippedUntil.get(id) ?? 0) > Date.now()) return null;
    const signal = AbortSignal.timeout(OLD_QUERY_MS);
    const timedOut = new Promise<never>((_, reject) =>
      signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true }),
    );
    try {
      const [v] = await Promise.race([e.embed([text], signal), timedOut]);
      return v ?? null;
    } catch {
      skippedUntil.set(id, Date.now() + OLD_RETRY_MS);
      return null;
    }
  };
}

export interface OldVectorSearch {
  hits: OldVectorHit[];
  /** How far the switch has got: the share of the active memories with a vector that have the current embedder's. */
  done: number;
  /** The same share for each former embedder searched. */
  share: Map<string, number>;
}

interface OldRow {
  id: string;
  label: number;
  actor: string;
  kind: string;
  created_at: number;
  salience: number;
  status: string;
  embedder: string;
  vector: Buffer | null;
}

/**
 * One former embedder's vectors, held in memory while memories carry them (one scan of SQLite, then only the rows
 * changed since: a re-embedded memory leaves, one written by that embedder meanwhile joins).
 */
function oldIndex(db: Db, id: string, dims: number) {
  const flat = new FlatVectors(dims);
  let seq = db.prepare('SELECT coalesce(max(change_seq), 0) FROM memories').pluck().get() as number;
  const put = (r: OldRow): void => {
    if (r.status === 'active' && r.embedder === id && r.vector?.byteLength === dims * 4)
      flat.set({
        id: r.id,
        label: r.label,
        vector: fromBlob(r.vector),
        payload: { actor: r.actor, kind: r.kind as MemoryKind, createdAt: r.created_at, salience: r.salience },
      });
    else flat.delete(r.id);
  };
  const cols = 'id, label, actor, kind, created_at, salience, status, embedder, vector';
  for (const r of db
    .prepare(`SELECT ${cols} FROM memories INDEXED BY memories_embedder WHERE embedder = ? AND status = 'active'`)
    .iterate(id) as IterableIterator<OldRow>)
    put(r);
  const since = db.prepare(`SELECT ${cols}, change_seq FROM memories WHERE change_seq > ? ORDER BY change_seq`);
  return {
    flat,
    /** Brings the cache in line with the rows changed since it was last. */
    follow(): void {
      for (const r of since.iterate(seq) as IterableIterator<OldRow & { change_seq: number }>) {
        put(r);
        seq = r.change_seq;
      }
    },
  };
}

export function createOldVectors(db: Db, currentId: () => string, embedderFor: OldEmbedderFor = hashEmbedderFor) {
  // Distinct embedders of active rows, one index probe each (a skip scan: a DISTINCT would read every stale row).
  const nextEmbedder = db
    .prepare(
      "SELECT embedder FROM memories INDEXED BY memories_embedder WHERE embedder > ? AND status = 'active' ORDER BY embedder LIMIT 1",
    )
    .pluck();
  const currentCount = db
    .prepare("SELECT count(*) FROM memories INDEXED BY memories_embedder WHERE embedder = ? AND status = 'active'")
    .pluck();
  const queryVector = queryEmbedder(embedderFor);
  const indexes = new Map<string, ReturnType<typeof oldIndex>>();

  /** Embedder ids other than the current one that active memories' vectors still carry ('' is "no vector yet"). */
  const staleEmbedders = (): string[] => {
    const out: string[] = [];
    for (
      let e = nextEmbedder.get('') as string | undefined;
      e !== undefined;
      e = nextEmbedder.get(e) as string | undefined
    )
      if (e !== currentId()) out.push(e);
    // An embedder no memory carries any more gives its memory back.
    for (const id of indexes.keys()) if (!out.includes(id)) indexes.delete(id);
    return out;
  };

  return {
    /** The `limit` nearest memories of each former embedder this process can run, by that embedder's cosine. */
    async search(text: string, limit: number, filter: VectorFilter): Promise<OldVectorSearch> {
      const hits: OldVectorHit[] = [];
      const sizes = new Map<string, number>();
      for (const id of staleEmbedders()) {
        const qv = await queryVector(id, text);
        if (!qv) continue;
        const index = indexes.get(id) ?? oldIndex(db, id, qv.length);
        indexes.set(id, index);
        index.follow();
        sizes.set(id, index.flat.size);
        for (const c of index.flat.search(qv, limit, filter))
          hits.push({ id: c.id, cosine: c.similarity, embedder: id });
      }
      const stale = [...sizes.values()].reduce((a, b) => a + b, 0);
      if (!stale) return { hits, done: 1, share: new Map() };
      const all = (currentCount.get(currentId()) as number) + stale;
      return { hits, done: 1 - stale / all, share: new Map([...sizes].map(([id, n]) => [id, n / all])) };
    },
  };
}

export type OldVectors = ReturnType<typeof createOldVectors>;
