/**
 * The `qdrant` MemoryStore. SQLite stays the source of truth; Qdrant holds each active memory's vector and search
 * payload. Writes go through a batching queue (batch upsert with wait=true: a write resolves once Qdrant applied
 * it). When Qdrant is unreachable the store is in AMNESIA: writes land in the durable replay queue in SQLite (and
 * resolve: they are durable), searches fail fast, probe reports ok=false, and a recovery loop with backoff replays
 * the queue in order once Qdrant answers again. Recall scoring and MMR happen in the memory service, on the
 * candidates (with their vectors) this store returns, exactly as for the embedded backend.
 */
import type { QdrantClient } from '@qdrant/js-client-rest';
import { ProgenyError } from '../../errors.js';
import type { Db } from '../../store/db.js';
import { splitRows } from '../store-rows.js';
import type {
  BackendHealth,
  Embedder,
  MemoryStore,
  StoreRow,
  VectorCandidate,
  VectorFilter,
  VectorPoint,
} from '../types.js';
import { ensureCollection, inspectServer } from './collection.js';
import { coalesce, ReplayQueue, type ReplayOp } from './replay-queue.js';
import { isTransient, QdrantError, withRetries, type RetryPolicy } from './retry.js';
import { splitBySize } from './request-size.js';
import { fromWireHit, toWire, toWireFilter } from './wire.js';

/** Qdrant's default service.max_request_size_mb. */
const QDRANT_MAX_REQUEST_BYTES = 32 * 1024 * 1024;
import { WriteBatcher, type PointRef, type WriteBatch } from './write-batcher.js';
import { act } from '../../hints.js';

export interface QdrantStoreOptions {
  db: Db;
  /** A provider embedder learns its dimension from its first answer: `embed` lets open() ask for one. */
  embedder: Pick<Embedder, 'id' | 'dimensions'> & Partial<Pick<Embedder, 'embed'>>;
  url: string;
  apiKey?: string;
  collection: string;
  batchSize: number;
  batchMs: number;
  /** Largest upsert body sent (the server's service.max_request_size_mb); default 32 MiB. */
  maxRequestBytes?: number;
  timeoutMs: number;
  /** Timeout of the lookups that decide between ready and AMNESIA (default min(timeoutMs, 2 s)). */
  connectTimeoutMs?: number;
  retries: number;
  /** Backoff between retries of one request. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** Backoff between recovery attempts while in AMNESIA. */
  recoverBaseMs?: number;
  recoverMaxMs?: number;
  /** A Retry-After longer than this is not waited for: the write is queued for replay instead. Default 30 s. */
  maxRetryAfterMs?: number;
  /** Told when the store enters AMNESIA (ok=false) and when it recovered and replayed its queue (ok=true). */
  onHealthChange?: (ok: boolean, detail: string) => void;
}

type State = 'closed' | 'ready' | 'amnesia';

export class QdrantStore implements MemoryStore {
  readonly backend = 'qdrant' as const;
  private client: QdrantClient | undefined;
  /** Same server, short timeout: connecting and recovery probes must not hang on a host that drops packets. */
  private lookupClient: QdrantClient | undefined;
  private state: State = 'closed';
  private lastError = '';
  private version = '';
  private readonly queue: ReplayQueue;
  private readonly batcher: WriteBatcher;
  private readonly policy: RetryPolicy;
  private stop = new AbortController();
  /** The collection's dimension, when the embedder could not tell yet (its model server is down). */
  private learnedDims = 0;
  private recovering: Promise<boolean> | undefined;
  private recoverTimer: NodeJS.Timeout | undefined;
  private recoverDelay: number;
  /** Whether onHealthChange(false) was sent, so the matching (true) is sent once on recovery. */
  private toldDown = false;

  constructor(private readonly o: QdrantStoreOptions) {
    this.queue = new ReplayQueue(o.db, o.collection);
    this.batcher = new WriteBatcher({ size: o.batchSize, ms: o.batchMs, send: (b) => this.send(b) });
    this.policy = {
      retries: o.retries,
      baseMs: o.retryBaseMs ?? 100,
      maxMs: o.retryMaxMs ?? 2_000,
      maxRetryAfterMs: o.maxRetryAfterMs ?? 30_000,
    };
    this.recoverDelay = o.recoverBaseMs ?? 1_000;
  }

  /** Writes waiting in the durable replay queue. */
  replayQueued(): number {
    return this.queue.size();
  }

  /** False while in AMNESIA (writes are being queued for replay rather than applied). */
  healthy(): boolean {
    return this.state === 'ready';
  }

  async open(): Promise<void> {
    this.stop = new AbortController();
    // Best effort: if the model server is down, an existing collection tells the dimension instead (tryRecover).
    if (!this.o.embedder.dimensions) await this.o.embedder.embed?.(['dimension probe']).catch(() => undefined);
    const { QdrantClient } = await import('@qdrant/js-client-rest');
    // The key goes in as a header rather than `apiKey`, which would also switch the scheme and warn on stderr.
    const make = (timeout: number): QdrantClient =>
      new QdrantClient({
        url: this.o.url,
        timeout,
        checkCompatibility: false,
        ...(this.o.apiKey ? { headers: { 'api-key': this.o.apiKey } } : {}),
      });
    this.client = make(this.o.timeoutMs);
    this.lookupClient = make(this.o.connectTimeoutMs ?? Math.min(this.o.timeoutMs, 2_000));
    this.state = 'amnesia';
    // Unreachable at start is AMNESIA, not an error; a wrong collection (dimension, distance) is an error.
    if (!(await this.recover())) {
      this.toldDown = true;
      this.o.onHealthChange?.(false, this.lastError);
      this.scheduleRecovery();
    }
  }

  /** Sends the rows' points and removals through the batching queue (store-rows.ts says which is which). */
  async mirror(rows: StoreRow[]): Promise<void> {
    const { up, down } = splitRows(rows);
    if (up.length) await this.upsert(up);
    if (down.length) await this.remove(down);
  }

  upsert(points: VectorPoint[]): Promise<void> {
    this.assertOpen();
    const bad = this.dims ? points.find((p) => p.vector.length !== this.dims) : undefined;
    if (bad) {
      return Promise.reject(
        new ProgenyError(
          'QDRANT_DIMENSION_MISMATCH',
          `memory ${bad.id} has a ${bad.vector.length}-dimensional vector; the collection holds ${this.dims}`,
        ),
      );
    }
    return this.batcher.upsert(points);
  }

  remove(ids: PointRef[]): Promise<void> {
    this.assertOpen();
    return this.batcher.remove(ids);
  }

  async search(vector: Float32Array, opts: { limit: number; filter: VectorFilter }): Promise<VectorCandidate[]> {
    this.assertOpen();
    if (this.dims && vector.length !== this.dims) {
      throw new ProgenyError(
        'QDRANT_DIMENSION_MISMATCH',
        `query vector has ${vector.length} dimensions; the collection holds ${this.dims}`,
      );
    }
    // Read your writes: anything queued before this search is applied first.
    if (this.batcher.pending() > 0) await this.batcher.flush();
    const client = this.readyClient();
    const filter = toWireFilter(opts.filter);
    const res = await this.guard('query', () =>
      client.query(this.o.collection, {
        query: Array.from(vector),
        limit: opts.limit,
        with_vector: true,
        with_payload: ['memory_id'],
        ...(filter ? { filter } : {}),
      }),
    );
    const out: VectorCandidate[] = [];
    for (const hit of res.points) {
      const c = fromWireHit(hit);
      if (c) out.push(c);
    }
    return out;
  }

  async count(): Promise<number> {
    this.assertOpen();
    if (this.batcher.pending() > 0) await this.batcher.flush();
    const client = this.readyClient();
    const r = await this.guard('count', () => client.count(this.o.collection, { exact: true }));
    return r.count;
  }

  async probe(): Promise<BackendHealth> {
    if (this.state === 'closed') return { ok: false, backend: 'qdrant', detail: 'not open' };
    if (this.state === 'amnesia' || this.queue.size() > 0) await this.recover();
    const queued = this.queue.size();
    const tail = queued ? `; ${queued} writes queued for replay` : '';
    if (this.state !== 'ready') return { ok: false, backend: 'qdrant', detail: `AMNESIA: ${this.lastError}${tail}` };
    try {
      const n = await this.count();
      return {
        ok: true,
        backend: 'qdrant',
        count: n,
        detail: `Qdrant ${this.version} at ${this.o.url}, collection ${this.o.collection} (${this.dims}-d cosine, ${n} points)${tail}`,
      };
    } catch (err) {
      return { ok: false, backend: 'qdrant', detail: `${(err as Error).message}${tail}` };
    }
  }

  async flush(): Promise<void> {
    await this.batcher.flush();
    if (this.state === 'ready' && this.queue.size() > 0) await this.recover();
  }

  async close(): Promise<void> {
    if (this.state === 'closed') return;
    try {
      await this.batcher.flush();
    } finally {
      this.state = 'closed';
      if (this.recoverTimer) clearTimeout(this.recoverTimer);
      this.stop.abort();
    }
  }

  private get dims(): number {
    return this.o.embedder.dimensions || this.learnedDims;
  }

  private assertOpen(): void {
    if (this.state === 'closed') throw new ProgenyError('QDRANT_CLOSED', 'the Qdrant memory store is not open', {});
  }

  private readyClient(): QdrantClient {
    if (this.state !== 'ready' || !this.client) {
      throw new QdrantError('QDRANT_UNAVAILABLE', `memory store in AMNESIA: ${this.lastError}`, true, undefined, {
        text: 'progeny retries in the background; the doctor checks Qdrant',
        actions: [act('doctor')],
      });
    }
    return this.client;
  }

  /** Runs a request with retries; a transient failure that outlasts them sends the store to AMNESIA. */
  private async guard<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await withRetries(what, this.o.url, this.policy, fn, this.stop.signal);
    } catch (err) {
      if (isTransient(err)) this.enterAmnesia(err as Error);
      throw err;
    }
  }

  /** The batcher's sender: straight to Qdrant when healthy and nothing is waiting for replay, else to the queue. */
  private async send(batch: WriteBatch): Promise<void> {
    const ops: ReplayOp[] = [
      ...batch.upserts.map((point) => ({ op: 'upsert' as const, point })),
      ...batch.removes.map((r) => ({ op: 'remove' as const, id: r.id, label: r.label })),
    ];
    if (this.state !== 'ready' || this.queue.size() > 0) {
      this.queue.push(ops);
      // Healthy but with older writes waiting (queued by another process, or replay under way): drain them, ours
      // included, in order; if Qdrant fails meanwhile the writes stay queued, which is durable too.
      if (this.state === 'ready') await this.recover();
      return;
    }
    try {
      await this.write(batch.upserts, batch.removes);
    } catch (err) {
      if (!isTransient(err)) throw err;
      this.queue.push(ops); // upserts and removes are idempotent, so replaying a half-applied batch is safe
      this.enterAmnesia(err as Error);
    }
  }

  private async write(upserts: VectorPoint[], removes: PointRef[]): Promise<void> {
    const client = this.client as QdrantClient;
    const name = this.o.collection;
    // A batch over the server's body limit would be refused whole (400): send it in runs that fit.
    for (const run of splitBySize(upserts, this.o.maxRequestBytes ?? QDRANT_MAX_REQUEST_BYTES))
      await withRetries(
        'upsert',
        this.o.url,
        this.policy,
        () => client.upsert(name, { wait: true, points: run.map(toWire) }),
        this.stop.signal,
      );
    if (removes.length)
      await withRetries(
        'delete',
        this.o.url,
        this.policy,
        () => client.delete(name, { wait: true, points: removes.map((r) => r.label) }),
        this.stop.signal,
      );
  }

  private enterAmnesia(err: Error): void {
    this.lastError = err.message;
    if (this.state !== 'ready') return;
    this.state = 'amnesia';
    this.toldDown = true;
    this.o.onHealthChange?.(false, err.message);
    this.scheduleRecovery();
  }

  private scheduleRecovery(): void {
    if (this.recoverTimer || this.state === 'closed') return;
    this.recoverTimer = setTimeout(() => {
      this.recoverTimer = undefined;
      void this.recover().then(
        (ok) => {
          if (!ok) {
            this.recoverDelay = Math.min(this.o.recoverMaxMs ?? 30_000, this.recoverDelay * 2);
            this.scheduleRecovery();
          }
        },
        (err: unknown) => {
          // Not transient (e.g. the collection was recreated with another dimension): keep trying, slowly, and say why.
          this.lastError = (err as Error).message;
          this.recoverDelay = this.o.recoverMaxMs ?? 30_000;
          this.scheduleRecovery();
        },
      );
    }, this.recoverDelay);
    this.recoverTimer.unref();
  }

  /** Reconnects (collection checked or created) and replays the queue; true once healthy. One attempt at a time. */
  private recover(): Promise<boolean> {
    this.recovering ??= this.tryRecover().finally(() => (this.recovering = undefined));
    return this.recovering;
  }

  /** Checks (or creates) the collection; false when the dimension is not known yet and no collection tells it. */
  private async connect(client: QdrantClient): Promise<boolean> {
    const once = { ...this.policy, retries: 0 };
    const lookup = this.lookupClient ?? client;
    if (!this.dims) {
      const info = await inspectServer(lookup, this.o.url, this.o.collection, once);
      if (!info.collection.size) {
        this.lastError = `the embedder ${this.o.embedder.id} has not told its dimension yet (is its model server up?), and collection ${this.o.collection} does not exist to tell it`;
        return false;
      }
      this.learnedDims = info.collection.size;
    }
    this.version = (
      await ensureCollection(
        client,
        this.o.url,
        this.o.collection,
        { id: this.o.embedder.id, dimensions: this.dims },
        once,
        lookup,
      )
    ).version;
    return true;
  }

  private async tryRecover(): Promise<boolean> {
    const client = this.client as QdrantClient;
    const wasReady = this.state === 'ready';
    try {
      if (!wasReady && !(await this.connect(client))) return false;
      for (let rows = this.queue.peek(this.o.batchSize); rows.length; rows = this.queue.peek(this.o.batchSize)) {
        const { upserts, removes } = coalesce(rows);
        await this.write(upserts, removes);
        this.queue.ack((rows.at(-1) as { seq: number }).seq);
      }
    } catch (err) {
      if (!isTransient(err)) throw err;
      this.lastError = (err as Error).message;
      if (wasReady) this.enterAmnesia(err as Error);
      return false;
    }
    if (this.state === 'closed') return false;
    this.recoverDelay = this.o.recoverBaseMs ?? 1_000;
    if (!wasReady) this.state = 'ready';
    if (this.toldDown) {
      this.toldDown = false;
      this.o.onHealthChange?.(true, `Qdrant ${this.version} reachable; replay queue drained`);
    }
    return true;
  }
}
