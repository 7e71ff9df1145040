/**
 * The embedded MemoryStore. SQLite (memories.vector) is the source of truth. Searches combine an HNSW index file
 * beside the database (ann-index.ts) with an exact scan of the changes the index has not absorbed yet (tail-log.ts),
 * so every acknowledged write is searchable at once, from this process or another one on the same home: each search
 * first catches up with memories.change_seq. A process that writes absorbs the tail into the index in the background
 * and saves it atomically; a process that only searches views the saved file and never reads it whole
 * (docs/performance.md "Memory index"). Opening, absorbing and saving one index: index-state.ts.
 */
import type { Paths } from '../paths.js';
import type { Db } from '../store/db.js';
import { readIndexMeta, type IndexReader } from './ann-index.js';
import { annCandidates } from './ann-search.js';
import { fileReachability, readdStranded } from './index-reachability.js';
import {
  absorb,
  openIndexState,
  readChanges,
  readerNote,
  saveIndexState,
  unsavedChanges,
  type IndexState,
  type SyncRow,
} from './index-state.js';
import type { BackendHealth, Embedder, IndexRepair, MemoryStore, StoreRow, VectorCandidate } from './types.js';

export interface EmbeddedStoreDeps {
  db: Db;
  paths: Paths;
  embedder: Embedder;
  /** Changes moved into the index per call (a background step makes calls for at most STEP_MS). */
  drainChunk?: number;
  /** close() finishes and saves the index when at most this many changes are pending. */
  closeDrainMax?: number;
  /** A writer saves once this many absorbed changes are unsaved (see SAVE_COST_SHARE), even while writes go on. */
  saveAfterChanges?: number;
  /** Who reads a saved index this process only searches (memory.indexReader; ann-index.ts loadSavedIndex). */
  indexReader?: IndexReader;
}

export interface EmbeddedStore extends MemoryStore {
  stats(): { indexed: number; tail: number; indexedSeq: number; viewed: boolean; reader: boolean };
  repairUnreachable(): Promise<IndexRepair | null>;
}

const IDLE_MS = 250;
/**
 * A process that wrote and only viewed the saved index leaves up to this many changes in the exact-search tail when it
 * closes (each later process reads them back and scans them: ~0.3 ms at 256); beyond it, closing loads the index,
 * absorbs the tail and saves, so the tail of a home written only by short commands stays bounded. A process that
 * only searched never does: that would make one search pay for reading and writing the whole index.
 */
const VIEW_TAIL_MAX = 256;
const MAX_DEFER_MS = 1000;
const STEP_MS = 4;
const SAVE_EVERY_MS = 60_000;
/**
 * Under a steady stream of writes a writer saves once `saveAfterChanges` changes are unsaved, so that the tail every
 * other process scans stays short; but saving writes the whole graph (~50 MB at 100k memories, ~0.1 s; ten times
 * that at 1M), so at most often enough to spend this share of the time saving.
 */
const SAVE_AFTER_CHANGES = 2048;
const SAVE_COST_SHARE = 0.05;

class EmbeddedIndexStore implements EmbeddedStore {
  readonly backend = 'embedded' as const;
  private state: IndexState | null = null;
  private seenSeq = 0;
  private timer: NodeJS.Timeout | null = null;
  private draining = false;
  private waitingSince = 0;
  private lastWrite = 0;
  // 0 until this process starts absorbing: reading the clock at construction would load perf_hooks in every command.
  private lastSave = 0;
  private lastSaveMs = 0;
  /** This process wrote (mirror() was given rows): it, not a process that only searches, absorbs and saves. */
  private wrote = false;
  private readonly maxSeq;
  private readonly changed;

  constructor(private readonly deps: EmbeddedStoreDeps) {
    this.maxSeq = deps.db.prepare('SELECT coalesce(max(change_seq), 0) FROM memories').pluck();
    this.changed = deps.db.prepare(
      'SELECT id, label, actor, kind, created_at, salience, status, embedder, vector, change_seq FROM memories WHERE change_seq > ? ORDER BY change_seq',
    );
  }

  private load(open: 'view' | 'load' = 'view'): IndexState | null {
    const s = openIndexState(this.deps, open);
    this.seenSeq = s?.tail.indexedSeq ?? 0;
    return s;
  }

  /** Only a writer absorbs, or a process rebuilding an index that has no saved file to view. */
  private absorbs(s: IndexState): boolean {
    return this.wrote || !s.index.viewed;
  }

  /**
   * Before changes are absorbed: a viewed index is replaced by the saved file read whole. If another process saved
   * a newer index since this one was viewed, everything is reopened from that file and caught up again.
   */
  private writable(): IndexState | null {
    const s = this.state;
    if (!s?.index.viewed) return s;
    const seen = this.seenSeq;
    const fresh = this.load('load');
    if (fresh && fresh.savedSeq === s.savedSeq && fresh.index.size() === s.index.size()) {
      // The same file: keep the tail already read, and swap the view for the loaded graph.
      s.index = fresh.index;
      this.seenSeq = seen;
      return s;
    }
    this.state = fresh;
    return this.catchUp();
  }

  private catchUp(): IndexState | null {
    // The default embedder falls back to the hash one when its model fails: another embedder, another index.
    if (this.state && this.state.embedder !== this.deps.embedder.id) {
      this.save();
      this.state = null;
    }
    this.state ??= this.load();
    const s = this.state;
    if (!s) return null;
    if ((this.maxSeq.get() as number) <= this.seenSeq) return s;
    this.seenSeq = readChanges(this.changed.iterate(this.seenSeq) as IterableIterator<SyncRow>, s, this.seenSeq);
    if (this.absorbs(s)) {
      this.lastWrite = performance.now();
      this.schedule(IDLE_MS);
    }
    return s;
  }

  /** Saves the graph if it changed since its file was saved (or `force`: it changed without a change_seq). */
  private save(force = false): void {
    const s = this.state;
    if (!s || (!force && s.tail.indexedSeq === s.savedSeq)) return;
    const t0 = performance.now();
    saveIndexState(this.deps.db, this.deps.paths.memoryIndex, s);
    this.lastSave = performance.now();
    this.lastSaveMs = this.lastSave - t0;
  }

  /** Saving is due after a pause in the writes, every SAVE_EVERY_MS, or once many changes wait (bounded by its cost). */
  private saveDue(s: IndexState): boolean {
    const unsaved = unsavedChanges(s);
    if (unsaved <= 0) return false;
    const now = performance.now();
    const sinceSave = now - this.lastSave;
    if (!s.tail.length && now - this.lastWrite >= IDLE_MS) return true;
    if (sinceSave >= SAVE_EVERY_MS) return true;
    const many = unsaved >= (this.deps.saveAfterChanges ?? SAVE_AFTER_CHANGES);
    return many && sinceSave * SAVE_COST_SHARE >= this.lastSaveMs;
  }

  /**
   * Background absorption. A write arms a timer that fires once writes pause for IDLE_MS, or MAX_DEFER_MS after the
   * first unabsorbed write at the latest (under a steady stream of writes the pause never comes, and every search
   * would scan a growing tail). Each step moves changes into the graph for at most STEP_MS, so a request waits at most
   * that long behind it; steps repeat until the tail is empty.
   */
  private schedule(delayMs: number): void {
    if (!this.state || this.draining) return;
    const now = performance.now();
    this.lastSave ||= now;
    if (this.timer) {
      if (now - this.waitingSince >= MAX_DEFER_MS) return;
      clearTimeout(this.timer);
    } else {
      this.waitingSince = now;
    }
    this.timer = setTimeout(() => this.step(), Math.max(0, Math.min(delayMs, this.waitingSince + MAX_DEFER_MS - now)));
    this.timer.unref();
  }

  private step(): void {
    this.timer = null;
    this.draining = false;
    const s = this.writable();
    if (!s) return;
    absorb(s, this.deps.drainChunk ?? 32, STEP_MS);
    if (this.saveDue(s)) this.save();
    if (s.tail.length) {
      this.draining = true;
      this.timer = setTimeout(() => this.step(), 0);
      this.timer.unref();
    } else if (unsavedChanges(s) > 0) {
      this.schedule(IDLE_MS);
    }
  }

  private drainAll(): void {
    if (!this.catchUp()) return;
    const s = this.writable();
    if (!s) return;
    // No request waits behind a flush: large chunks, one call into usearch each.
    absorb(s, Math.max(this.deps.drainChunk ?? 32, 4096), Infinity);
    this.save();
  }

  async open(): Promise<void> {
    this.seenSeq = 0;
    this.state = null;
  }

  // The rows are in the table, which this store reads itself (with other processes' writes) from its last change
  // on; one that has not loaded yet picks them up at its first search.
  // A writer that has not searched yet starts following them after IDLE_MS (a long-lived one: serve, chat); a short
  // command that only writes is gone by then, and close() looks at the tail it leaves.
  async mirror(rows: StoreRow[]): Promise<void> {
    if (rows.length) this.wrote = true;
    if (this.state) this.catchUp();
    else if (this.wrote && !this.timer) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.catchUp();
      }, IDLE_MS);
      this.timer.unref();
    }
  }

  async search(
    vector: Float32Array,
    { limit, filter }: Parameters<MemoryStore['search']>[1],
  ): Promise<VectorCandidate[]> {
    const s = this.catchUp();
    if (!s || limit <= 0) return [];
    const fromTail = s.tail.flat.search(vector, limit, filter);
    const { db, embedder } = this.deps;
    const fromIndex = annCandidates(db, s.index, {
      q: vector,
      limit,
      filter,
      embedderId: embedder.id,
      inTail: (id) => s.tail.flat.has(id),
    });
    const byId = new Map<string, VectorCandidate>();
    for (const c of [...fromTail, ...fromIndex]) if (!byId.has(c.id)) byId.set(c.id, c);
    return [...byId.values()].sort((a, b) => b.similarity - a.similarity).slice(0, limit);
  }

  async count(): Promise<number> {
    return this.deps.db
      .prepare("SELECT count(*) FROM memories WHERE status = 'active' AND vector IS NOT NULL AND embedder = ?")
      .pluck()
      .get(this.deps.embedder.id) as number;
  }

  async probe(): Promise<BackendHealth> {
    try {
      const s = this.catchUp();
      const count = await this.count();
      const detail = s
        ? `HNSW index ${s.index.size()} points, ${s.tail.length} changes pending${readerNote(s.index)}`
        : 'no memories yet';
      return { ok: true, backend: 'embedded', detail, count };
    } catch (err) {
      return { ok: false, backend: 'embedded', detail: (err as Error).message };
    }
  }

  /** Absorbs every pending change and saves: after a bulk import or a reindex, so later processes start warm. */
  async flush(): Promise<void> {
    this.drainAll();
  }

  async repairUnreachable(): Promise<IndexRepair | null> {
    this.drainAll();
    const s = this.state;
    if (!s || s.index.viewed) return null;
    // Everything absorbed is saved: the file is this graph, and holds each memory's vector as of indexedSeq.
    const file = this.deps.paths.memoryIndex;
    const at = { dims: s.dims, embedder: s.embedder, seq: s.tail.indexedSeq };
    const readded = readdStranded(this.deps.db, file, s.index, at);
    if (!readded) return null;
    if (readded.labels.length) this.save(true);
    const after = readded.found ? fileReachability(file, s.dims, 0) : { unreached: 0 };
    const left = 'reason' in after ? readded.found : after.unreached;
    return { found: readded.found, readded: readded.labels.length, left };
  }

  stats(): ReturnType<EmbeddedStore['stats']> {
    const s = this.state;
    return {
      indexed: s?.index.size() ?? 0,
      tail: s?.tail.length ?? 0,
      indexedSeq: s?.tail.indexedSeq ?? 0,
      viewed: s?.index.viewed ?? false,
      reader: s?.index.reader ?? false,
    };
  }

  /** The changes after the saved index, for a process that wrote without loading it (0 when there is none). */
  private pendingOnDisk(): number {
    const meta = readIndexMeta(this.deps.db);
    return meta ? (this.maxSeq.get() as number) - meta.seq : 0;
  }

  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.draining = false;
    // A short tail is finished and saved; a long one is left to a process with time (chat, serve, import's flush).
    // A process that viewed the index leaves its tail as it is, unless it wrote and the tail is over VIEW_TAIL_MAX.
    const s = this.state;
    const tail = s ? s.tail.length : this.wrote ? this.pendingOnDisk() : 0;
    const closeDrainMax = this.deps.closeDrainMax ?? 1024;
    const viewed = s ? s.index.viewed : true;
    if (tail && tail <= closeDrainMax && (!viewed || (this.wrote && tail > VIEW_TAIL_MAX))) this.drainAll();
    this.state = null;
  }
}

export function createEmbeddedStore(deps: EmbeddedStoreDeps): EmbeddedStore {
  return new EmbeddedIndexStore(deps);
}
