/**
 * The embedded MemoryStore. SQLite (memories.vector) is the source of truth. Searches combine an HNSW index file
 * beside the database (ann-index.ts) with an exact scan of the changes the index has not absorbed yet (tail-log.ts),
 * so every acknowledged write is searchable at once, from this process or another one on the same home: each search
 * first catches up with memories.change_seq. The index absorbs the tail in the background and is saved atomically.
 */
import type { Paths } from '../paths.js';
import type { Db } from '../store/db.js';
import { createAnnIndex, graphParams, loadSavedIndex, writeIndexMeta, type AnnIndex } from './ann-index.js';
import { annCandidates } from './ann-search.js';
import { TailLog } from './tail-log.js';
import type { BackendHealth, Embedder, MemoryStore, StoreRow, VectorCandidate } from './types.js';
import { fromBlob } from './vectors.js';

export interface EmbeddedStoreDeps {
  db: Db;
  paths: Paths;
  embedder: Embedder;
  /** Changes moved into the index per call (a background step makes calls for at most STEP_MS). */
  drainChunk?: number;
  /** close() finishes and saves the index when at most this many changes are pending. */
  closeDrainMax?: number;
}

export interface EmbeddedStore extends MemoryStore {
  stats(): { indexed: number; tail: number; indexedSeq: number; viewed: boolean };
}

const IDLE_MS = 250;
/**
 * A process that only views the saved index leaves up to this many changes in the exact-search tail when it closes
 * (each later process reads them back and scans them: ~0.3 ms at 256); beyond it, closing loads the index, absorbs
 * the tail and saves, so the tail of a home used only by short commands stays bounded.
 */
const VIEW_TAIL_MAX = 256;
const MAX_DEFER_MS = 1000;
const STEP_MS = 4;
const SAVE_EVERY_MS = 60_000;

/** A memories row as the index follows it: what every store reflects, plus the vector's embedder and change seq. */
interface SyncRow extends Omit<StoreRow, 'revision'> {
  embedder: string;
  change_seq: number;
}

export function createEmbeddedStore(deps: EmbeddedStoreDeps): EmbeddedStore {
  const { db, paths, embedder } = deps;
  const chunk = deps.drainChunk ?? 32;
  const closeDrainMax = deps.closeDrainMax ?? 1024;
  let state: { index: AnnIndex; tail: TailLog; dims: number; embedder: string } | null = null;
  let seenSeq = 0;
  let savedSeq = -1;
  let timer: NodeJS.Timeout | null = null;
  let draining = false;
  let waitingSince = 0;
  let lastWrite = 0;
  let lastSave = performance.now();
  const maxSeq = db.prepare('SELECT coalesce(max(change_seq), 0) FROM memories').pluck();
  const changed = db.prepare(
    'SELECT id, label, actor, kind, created_at, salience, status, embedder, vector, change_seq FROM memories WHERE change_seq > ? ORDER BY change_seq',
  );
  const anyVector = db
    .prepare("SELECT vector FROM memories WHERE status = 'active' AND embedder = ? AND vector IS NOT NULL LIMIT 1")
    .pluck();

  /**
   * Opens the saved index as a view (see AnnIndex.viewed: a command that only searches never reads the whole file),
   * or starts an empty one whose tail replays every row (a rebuild).
   */
  const load = (open: 'view' | 'load' = 'view'): typeof state => {
    const sample = anyVector.get(embedder.id) as Buffer | undefined;
    const dims = embedder.dimensions || (sample ? sample.byteLength / 4 : 0);
    if (!dims) return null;
    const saved = loadSavedIndex(db, paths.memoryIndex, embedder.id, dims, open);
    seenSeq = saved?.seq ?? 0;
    savedSeq = saved ? saved.seq : -1;
    return {
      index: saved?.index ?? createAnnIndex(dims),
      tail: new TailLog(dims, seenSeq),
      dims,
      embedder: embedder.id,
    };
  };

  /**
   * Before changes are absorbed: a viewed index is replaced by the saved file read whole. If another process saved
   * a newer index since this one was viewed, everything is reopened from that file and caught up again.
   */
  const writable = (): NonNullable<typeof state> | null => {
    if (!state?.index.viewed) return state;
    const viewedSeq = savedSeq;
    const fresh = load('load');
    if (fresh && savedSeq === viewedSeq && fresh.index.size() === state.index.size()) {
      state.index = fresh.index;
      return state;
    }
    state = fresh;
    return catchUp();
  };

  const catchUp = () => {
    // The default embedder falls back to the hash one when its model fails: another embedder, another index.
    if (state && state.embedder !== embedder.id) {
      save();
      state = null;
    }
    state ??= load();
    if (!state) return null;
    const top = maxSeq.get() as number;
    if (top <= seenSeq) return state;
    for (const r of changed.iterate(seenSeq) as IterableIterator<SyncRow>) {
      const ok =
        r.status === 'active' && r.vector && r.embedder === embedder.id && r.vector.byteLength === state.dims * 4;
      state.tail.push(
        r.change_seq,
        r.id,
        r.label,
        ok
          ? {
              id: r.id,
              label: r.label,
              vector: fromBlob(r.vector as Buffer),
              payload: { actor: r.actor, kind: r.kind, createdAt: r.created_at, salience: r.salience },
            }
          : null,
      );
      seenSeq = r.change_seq;
    }
    lastWrite = performance.now();
    schedule(IDLE_MS);
    return state;
  };

  const save = (): void => {
    if (!state || state.tail.indexedSeq === savedSeq) return;
    const bytes = state.index.save(paths.memoryIndex);
    writeIndexMeta(db, {
      seq: state.tail.indexedSeq,
      bytes,
      count: state.index.size(),
      embedder: state.embedder,
      dims: state.dims,
      graph: graphParams(),
    });
    savedSeq = state.tail.indexedSeq;
    lastSave = performance.now();
  };

  /**
   * Background absorption. A write arms a timer that fires once writes pause for IDLE_MS, or MAX_DEFER_MS after the
   * first unabsorbed write at the latest (under a steady stream of writes the pause never comes, and every search
   * would scan a growing tail). Each step moves changes into the graph for at most STEP_MS, so a request waits at most
   * that long behind it; steps repeat until the tail is empty. Saving writes the whole graph (tens of MB at 100k
   * memories), so it waits for a pause in the writes, or happens at most every SAVE_EVERY_MS under a steady stream.
   */
  function schedule(delayMs: number): void {
    if (!state || draining) return;
    const now = performance.now();
    if (timer) {
      if (now - waitingSince >= MAX_DEFER_MS) return;
      clearTimeout(timer);
    } else {
      waitingSince = now;
    }
    timer = setTimeout(step, Math.max(0, Math.min(delayMs, waitingSince + MAX_DEFER_MS - now)));
    timer.unref();
  }

  /** Moves pending changes into the graph, a chunk at a time, for at most `ms`. */
  const absorb = (s: NonNullable<typeof state>, ms: number): void => {
    const until = performance.now() + ms;
    while (s.tail.length && performance.now() < until) s.tail.drain(s.index, chunk);
  };

  function step(): void {
    timer = null;
    draining = false;
    if (!writable() || !state) return;
    absorb(state, STEP_MS);
    if (state.tail.length) {
      draining = true;
      timer = setTimeout(step, 0);
      timer.unref();
    } else if (performance.now() - lastWrite >= IDLE_MS || performance.now() - lastSave >= SAVE_EVERY_MS) {
      save();
    } else {
      schedule(IDLE_MS);
    }
  }

  const drainFor = (budgetMs: number): void => {
    if (!catchUp()) return;
    const s = writable();
    if (!s) return;
    absorb(s, budgetMs);
    save();
  };

  return {
    backend: 'embedded',
    async open() {
      seenSeq = 0;
      state = null;
    },
    // The rows are in the table, which this store reads itself (with other processes' writes) from its last change
    // on; one that has not loaded yet picks them up at its first search.
    async mirror() {
      if (state) catchUp();
    },
    async search(vector, { limit, filter }): Promise<VectorCandidate[]> {
      const s = catchUp();
      if (!s || limit <= 0) return [];
      const fromTail = s.tail.flat.search(vector, limit, filter);
      const fromIndex = annCandidates(db, s.index, vector, limit, filter, embedder.id, (id) => s.tail.flat.has(id));
      const byId = new Map<string, VectorCandidate>();
      for (const c of [...fromTail, ...fromIndex]) if (!byId.has(c.id)) byId.set(c.id, c);
      return [...byId.values()].sort((a, b) => b.similarity - a.similarity).slice(0, limit);
    },
    async count() {
      return db
        .prepare("SELECT count(*) FROM memories WHERE status = 'active' AND vector IS NOT NULL AND embedder = ?")
        .pluck()
        .get(embedder.id) as number;
    },
    async probe(): Promise<BackendHealth> {
      try {
        const s = catchUp();
        const count = await this.count();
        const detail = s ? `HNSW index ${s.index.size()} points, ${s.tail.length} changes pending` : 'no memories yet';
        return { ok: true, backend: 'embedded', detail, count };
      } catch (err) {
        return { ok: false, backend: 'embedded', detail: (err as Error).message };
      }
    },
    /** Absorbs every pending change and saves: after a bulk import or a reindex, so later processes start warm. */
    async flush() {
      drainFor(Infinity);
    },
    stats: () => ({
      indexed: state?.index.size() ?? 0,
      tail: state?.tail.length ?? 0,
      indexedSeq: state?.tail.indexedSeq ?? 0,
      viewed: state?.index.viewed ?? false,
    }),
    async close() {
      if (timer) clearTimeout(timer);
      timer = null;
      draining = false;
      // A short tail is finished and saved; a long one is left to a process with time (chat, serve, import's flush).
      // A process that only viewed the index leaves a tail of up to VIEW_TAIL_MAX changes as it is.
      const tail = state?.tail.length ?? 0;
      if (state && tail <= closeDrainMax && (!state.index.viewed || tail > VIEW_TAIL_MAX)) drainFor(Infinity);
      state = null;
    },
  };
}
