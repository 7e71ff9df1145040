/** The memory API the engine, the CLI and the server use (implemented in src/core/memory/service.ts). */
import type {
  Memory,
  MemoryKind,
  MemoryRevision,
  MemoryStatus,
  NewMemory,
  RecallAnswer,
  RecallQuery,
  RecalledMemory,
  BackendHealth,
  IndexRepair,
} from './types.js';

export interface ListQuery {
  actor?: string;
  kind?: MemoryKind;
  status?: MemoryStatus | 'all';
  limit?: number;
  /** Opaque cursor from a previous page's nextCursor. */
  cursor?: string;
  /** Newest first (default) or oldest first. */
  order?: 'desc' | 'asc';
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface EditPatch {
  text?: string;
  salience?: number;
  kind?: MemoryKind;
}

export interface ProgressFn {
  (done: number, total?: number): void;
}

export interface ImportReport {
  imported: number;
  updated: number;
  skipped: number;
  /** Line-numbered problems; an invalid line is reported and skipped, never half-applied. */
  errors: { line: number; message: string }[];
  /** Line-numbered notes about lines that were applied, e.g. fields this format does not have (ignored). */
  warnings: { line: number; message: string }[];
}

export interface DreamReport {
  decayed: number;
  merged: { kept: string; archived: string[] }[];
  faded: number;
  /** Memories condensed into summaries (archived, linked to their summary), and the summaries written. */
  summarised: number;
  summaries: number;
  /** Why summarising stopped early (the model failed); those memories were archived as usual. */
  summaryError?: string;
  dryRun: boolean;
}

export interface MemoryApi {
  /** Adds now, durably; resolves with the stored memories. */
  add(items: NewMemory[]): Promise<Memory[]>;
  /**
   * add() at most once per key (an API client's Idempotency-Key, scoped by the caller): a retry with the same key and
   * items returns the memories the first call stored (`replayed`); the same key with other items is
   * IDEMPOTENCY_MISMATCH.
   */
  addOnce(key: string, items: NewMemory[]): Promise<{ memories: Memory[]; replayed: boolean }>;
  /**
   * Queues for the next batch (flushed at memory.batch.size items or memory.batch.ms, and on flush/close); the
   * promise resolves once the batch is durable.
   */
  enqueue(item: NewMemory): Promise<Memory>;
  flush(): Promise<void>;
  recall(query: RecallQuery): Promise<RecalledMemory[]>;
  /**
   * recall() with how the memories were found: whether the vectors were used, and why not (RecallInfo). Never fails
   * because of the embedder: the words answer then.
   */
  search(query: RecallQuery): Promise<RecallAnswer>;
  list(query: ListQuery): Page<Memory>;
  /** Throws NOT_FOUND for unknown ids. Accepts a unique id prefix of ≥ 6 characters. */
  get(id: string): Memory;
  edit(id: string, patch: EditPatch, reason: string): Promise<Memory>;
  /** Tombstones the record and purges its text and vector. */
  forget(id: string): Promise<Memory>;
  pin(id: string, pinned: boolean): Promise<Memory>;
  history(id: string): MemoryRevision[];
  /** One JSON object per line, oldest first; forgotten memories are exported as tombstones without text. */
  exportJsonl(): Iterable<string>;
  importJsonl(
    lines: AsyncIterable<string> | Iterable<string>,
    opts?: { onProgress?: ProgressFn },
  ): Promise<ImportReport>;
  /**
   * staleOnly: only rows without a vector from the current embedder (e.g. memories that arrived by sync). An aborted
   * signal stops it after the page being embedded (each page is committed): the count says how far it got.
   */
  reindex(opts?: {
    onProgress?: ProgressFn;
    staleOnly?: boolean;
    signal?: AbortSignal;
  }): Promise<{ count: number; embedder: string }>;
  /**
   * Re-adds the memories the saved vector index no longer reaches (docs/performance.md, "Memories no search
   * reaches") and saves it; null for a store that has no such graph or when progeny's reader cannot check the file.
   */
  repairIndex(): Promise<IndexRepair | null>;
  /** Embeds the memories written without a vector (the semantic model embeds after the write); resolves with the count. */
  embedPending(opts?: { onProgress?: ProgressFn; signal?: AbortSignal }): Promise<number>;
  /** Re-embeds, in the background, whatever has no vector of the current embedder (serve and chat call it). */
  reembedInBackground(): void;
  /**
   * Memories that arrived without a vector of this device's embedder (sync): the hash embedder (and a provider's)
   * embeds them now; the semantic model in the background, or in the next process that runs it. The full-text
   * channel finds them meanwhile.
   */
  embedArrived(): Promise<void>;
  /** Memories without any vector yet (`new`) and without one of the current embedder (`stale`, new ones included). */
  pendingVectors(): { new: number; stale: number };
  dream(opts?: DreamOptions): Promise<DreamReport>;
  /** Archived memories (merged or faded by dream) come back. */
  restore(id: string): Promise<Memory>;
  count(opts?: { status?: MemoryStatus | 'all' }): number;
  probe(): Promise<BackendHealth>;
  close(): Promise<void>;
}

export interface DreamOptions {
  dryRun?: boolean;
  onProgress?: ProgressFn;
  /** Condense the memories that decay into summaries first (needs a model). */
  summarise?: Summariser;
  signal?: AbortSignal;
}

/** Condenses memory texts (oldest first) into one short text. */
export type Summariser = (texts: string[], signal?: AbortSignal) => Promise<string>;
