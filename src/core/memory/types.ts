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

export interface VectorCandidate {
  id: string;
  similarity: number;
  vector: Float32Array;
}

export interface BackendHealth {
  ok: boolean;
  backend: 'embedded' | 'qdrant';
  detail: string;
  count?: number;
}

/**
 * The vector-search side of memory. SQLite stays the source of truth for every record; a MemoryStore holds vectors
 * and search payloads. Two implementations pass one contract suite: `embedded` (ANN index file beside the
 * database) and `qdrant`.
 */
export interface MemoryStore {
  readonly backend: 'embedded' | 'qdrant';
  open(): Promise<void>;
  /** Resolves once the points are searchable (and, for remote stores, acknowledged). */
  upsert(points: VectorPoint[]): Promise<void>;
  remove(ids: { id: string; label: number }[]): Promise<void>;
  search(vector: Float32Array, opts: { limit: number; filter: VectorFilter }): Promise<VectorCandidate[]>;
  count(): Promise<number>;
  probe(): Promise<BackendHealth>;
  flush(): Promise<void>;
  close(): Promise<void>;
}
