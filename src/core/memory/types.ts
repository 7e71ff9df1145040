/** Memory records, recall results and the vector-search backend interface (docs/domain.md, "Memory"). */

export const MEMORY_KINDS = ['interaction', 'fact', 'summary', 'reflection', 'pinned'] as const;
export type MemoryKind = (typeof MEMORY_KINDS)[number];
export type MemoryStatus = 'active' | 'archived' | 'forgotten';

export interface MemorySource {
  device?: string;
  conversation?: string;
  turn?: string;
  /** Free-form origin such as "cli", "import", "tui". */
  via?: string;
}

export interface Memory {
  id: string;
  text: string;
  kind: MemoryKind;
  actor: string;
  source: MemorySource;
  createdAt: number;
  updatedAt: number;
  salience: number;
  pinned: boolean;
  status: MemoryStatus;
  mergedInto: string | null;
  revision: number;
  embedder: string;
  recallCount: number;
  lastRecalledAt: number | null;
}

export interface NewMemory {
  text: string;
  kind?: MemoryKind;
  actor?: string;
  source?: MemorySource;
  salience?: number;
  pinned?: boolean;
  /** Kept when importing, so ids and dates survive export → import. */
  id?: string;
  createdAt?: number;
}

export interface MemoryRevision {
  memoryId: string;
  revision: number;
  text: string;
  kind: MemoryKind;
  salience: number;
  pinned: boolean;
  changedAt: number;
  reason: string;
}

/** Why a memory was recalled: the parts of its score (docs/domain.md: 0.7·similarity + 0.2·freshness + 0.1·salience). */
export interface RecallScore {
  similarity: number;
  freshness: number;
  salience: number;
  score: number;
  /** The MMR value at the moment it was picked. */
  mmr: number;
  /** Hybrid recall only: what `similarity` fuses, by rank (vector cosine, BM25 normalised to 0..1). */
  cosine?: number;
  lexical?: number;
  /** During an embedder switch, a memory not re-embedded yet: its cosine by the embedder that made its vector. */
  oldCosine?: number;
}

/**
 * Whether a recall's vectors were used (docs/memory-recall.md, "When the vectors cannot be used"): `used` by the
 * configured embedder; `fallback`: the built-in model is unavailable and the hash embedder's vectors stood in;
 * `none`: the query was not embedded (its script, or the embedder failed) and the words decided. `reason` says why
 * when not `used`.
 */
export interface RecallInfo {
  vectors: 'used' | 'fallback' | 'none';
  reason?: string;
}

/** A recall's memories and how they were found. */
export interface RecallAnswer {
  results: RecalledMemory[];
  recall: RecallInfo;
}

export interface RecalledMemory {
  memory: Memory;
  score: RecallScore;
  rank: number;
}

export interface RecallQuery {
  text: string;
  k?: number;
  actor?: string;
  kinds?: MemoryKind[];
  /** Do not count this recall in recall_count/last_recalled_at (e.g. `memory search`). */
  peek?: boolean;
}

/** Produces L2-normalised vectors. The id names the model and dimension, e.g. "builtin-hash-v2/384". */
export interface Embedder {
  readonly id: string;
  readonly dimensions: number;
  /** Computed in this thread faster than a cache lookup (the hash embedder): never cached, re-embedded at open. */
  readonly cheap?: boolean;
  /** The embedder this one stands in for while the default one has fallen back (re-embedding waits for it). */
  readonly preferred?: string;
  /** A model loaded on demand: false while it is not in memory (embedding would load it first). */
  readonly ready?: boolean;
  /** Asked over the network (a model server's embeddings endpoint): a query embedding is bounded in time. */
  readonly remote?: boolean;
  /** Set while this embedder stands in for the preferred one: why that one is unavailable. */
  readonly fallbackReason?: string;
  embed(texts: string[], signal?: AbortSignal): Promise<Float32Array[]>;
}

export interface VectorPayload {
  actor: string;
  kind: MemoryKind;
  createdAt: number;
  salience: number;
}

export interface VectorPoint {
  id: string;
  /** Stable integer key for ANN libraries that need one. */
  label: number;
  vector: Float32Array;
  payload: VectorPayload;
}

export interface VectorFilter {
  actor?: string;
  kinds?: MemoryKind[];
}

/** One row of the memories table, as SQLite returns it (rows.ts reads and maps them). */
export interface MemoryRow {
  id: string;
  label: number;
  text: string;
  kind: MemoryKind;
  actor: string;
  source: string;
  created_at: number;
  updated_at: number;
  salience: number;
  pinned: number;
  status: MemoryStatus;
  merged_into: string | null;
  revision: number;
  embedder: string;
  text_hash: string;
  vector: Buffer | null;
  recall_count: number;
  last_recalled_at: number | null;
  change_seq: number;
  /** Indexed with the text (thread.ts): the end of the interaction before it in its conversation. */
  context: string;
  context_id: string | null;
}

export interface VectorCandidate {
  id: string;
  similarity: number;
  vector: Float32Array;
  /**
   * The memory's row (vector left out) when the store read it from SQLite with the vector, as the embedded store's
   * index search does: recall then does not read it a second time.
   */
  row?: MemoryRow;
}

export interface BackendHealth {
  ok: boolean;
  backend: 'embedded' | 'qdrant';
  detail: string;
  count?: number;
}

/** The columns of a committed memories row that a MemoryStore reflects (a MemoryRow has them all). */
export interface StoreRow {
  id: string;
  label: number;
  actor: string;
  kind: MemoryKind;
  created_at: number;
  salience: number;
  status: MemoryStatus;
  revision: number;
  vector: Buffer | null;
}

/**
 * The vector-search side of memory. SQLite stays the source of truth for every record; a MemoryStore follows the
 * memories table and answers nearest-neighbour searches over it. Two implementations pass one contract suite
 * (store-contract.ts), which writes rows with the real writer and mirrors them: `embedded` (an ANN index file beside
 * the database) and `qdrant`.
 */
/** What re-adding the stranded memories of a saved index did (`memory reindex`'s repair). */
export interface IndexRepair {
  /** Stranded members of the saved graph before. */
  found: number;
  /** Of those, memories re-added with the vector the database holds for them. */
  readded: number;
  /** Stranded members of the graph saved after. */
  left: number;
}

export interface MemoryStore {
  readonly backend: 'embedded' | 'qdrant';
  open(): Promise<void>;
  /**
   * Reflects rows already committed to the memories table: an active row with a vector becomes searchable with that
   * vector and payload, any other row is no longer found. Resolves once that holds (and, for a remote store, is
   * acknowledged). The embedded store reads the table's changes itself (these rows and other processes' writes);
   * the qdrant store sends these rows. Either way a row that is not in the table is the caller's bug.
   */
  mirror(rows: StoreRow[]): Promise<void>;
  search(vector: Float32Array, opts: { limit: number; filter: VectorFilter }): Promise<VectorCandidate[]>;
  count(): Promise<number>;
  probe(): Promise<BackendHealth>;
  /** Finishes pending work: the embedded store absorbs every change into its index and saves it; qdrant sends queued writes. */
  flush(): Promise<void>;
  /**
   * The embedded store: after a flush, re-adds the memories its saved graph no search reaches and saves
   * (index-reachability.ts); null when there is no graph, or progeny's reader cannot check the file.
   */
  repairUnreachable?(): Promise<IndexRepair | null>;
  close(): Promise<void>;
}
