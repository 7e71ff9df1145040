/**
 * The native runtime of the built-in semantic embedder (docs/embeddings.md, "The runtime"): our own C++ forward
 * pass of Universal Sentence Encoder lite (src/native/, built into dist/native/use-lite.node by
 * scripts/build-native.mjs), which reads the weights from the model package's shards and runs each batch as async
 * work on libuv's thread pool, so no worker thread (no second V8 isolate, no tfjs) is needed. Here: loading the addon
 * (a missing or broken one is a reason, not an error: embedder-model.ts then uses the WebAssembly workers), one
 * loaded model shared by every slot and released with the last, and the slot (embedder-slot.ts's interface) the
 * scheduler hands batches to. Texts are tokenized here, on the calling thread, by the same tokenizer as the worker's.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { weightSpec } from './embedder-native-spec.js';
import type { Slot, SlotEvents } from './embedder-slot.js';

export interface NativeAddon {
  load(shards: string[], spec: Float64Array): Promise<object>;
  embed(model: object, ids: Int32Array, lengths: Int32Array): Promise<Float32Array>;
  release(model: object): void;
  isa(): string;
}

const require = createRequire(import.meta.url);
/** Beside dist/core/memory/ in the build and src/core/memory/ in the sources, both three levels under the root. */
export const DEFAULT_ADDON = fileURLToPath(new URL('../../../dist/native/use-lite.node', import.meta.url));

/** The addon, or why it cannot be used (not built, built for another Node or machine, not an addon at all). */
export function loadAddon(path = DEFAULT_ADDON): { addon: NativeAddon } | { reason: string } {
  try {
    const addon = require(path) as NativeAddon;
    if (typeof addon.embed !== 'function' || typeof addon.isa !== 'function')
      return { reason: `${path} is not the embedder's addon` };
    return { addon };
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'MODULE_NOT_FOUND') return { reason: `the native addon is not built (${path} is missing)` };
    return { reason: `the native addon does not load (${e.message.split('\n')[0]})` };
  }
}

interface Loaded {
  model: object;
  encode(text: string): number[];
}

interface Shared {
  refs: number;
  loading: Promise<Loaded>;
}

const shared = new Map<string, Shared>();

async function loadModel(addon: NativeAddon, modelDir: string, dims: number): Promise<Loaded> {
  const { createTokenizer } = require('./embedder-tokenizer.cjs') as {
    createTokenizer(v: unknown): { encode(t: string): number[] };
  };
  // node:fs/promises imported here, not at the top: every command that opens the engine evaluates this module.
  const { readFile } = await import('node:fs/promises');
  const [{ shards, spec }, vocabulary] = await Promise.all([
    weightSpec(modelDir),
    readFile(join(modelDir, 'vocab.json'), 'utf8').then((s) => JSON.parse(s) as unknown),
  ]);
  const model = await addon.load(shards, spec);
  const { encode } = createTokenizer(vocabulary);
  // One sentence end to end, as the worker does: weights that do not fit the graph fail here, not on a real text.
  const probe = await addon.embed(model, Int32Array.from(encode('ready')), Int32Array.of(encode('ready').length));
  if (probe.length !== dims || probe.some((x) => !Number.isFinite(x))) {
    addon.release(model);
    throw new Error(
      probe.length !== dims ? `the model makes ${probe.length}-dimensional vectors` : 'the model answered no vector',
    );
  }
  return { model, encode };
}

/** The loaded model for this addon and directory, loaded by the first slot and released with the last. */
function acquire(
  addon: NativeAddon,
  key: string,
  modelDir: string,
  dims: number,
): { loaded: Promise<Loaded>; drop(): void } {
  let s = shared.get(key);
  if (!s) {
    s = { refs: 0, loading: loadModel(addon, modelDir, dims) };
    shared.set(key, s);
    // A failed load is not kept: the next slot tries again (the owner decides whether there is a next one).
    s.loading.catch(() => shared.get(key) === s && shared.delete(key));
  }
  s.refs++;
  const mine = s;
  let dropped = false;
  return {
    loaded: s.loading,
    drop() {
      if (dropped) return;
      dropped = true;
      if (--mine.refs > 0 || shared.get(key) !== mine) return;
      shared.delete(key);
      mine.loading.then((l) => addon.release(l.model)).catch(() => undefined);
    },
  };
}

export interface NativeSlotOptions {
  addon: NativeAddon;
  addonPath: string;
  modelDir: string;
  dimensions: number;
  loadTimeoutMs: number;
}

/** A slot (embedder-slot.ts) whose batches run in the addon: one at a time, on libuv's pool. */
export function startNativeSlot<B>(opts: NativeSlotOptions, events: SlotEvents<B>): Slot<B> {
  const { addon, modelDir, dimensions } = opts;
  const ref = acquire(addon, `${opts.addonPath}\0${modelDir}`, modelDir, dimensions);
  let ended = false;
  let loaded: Loaded | null = null;
  const slot: Slot<B> = {
    ready: false,
    busy: null,
    retired: false,
    idleTimer: null,
    post(id, texts, batch) {
      slot.busy = { id, batch };
      const rows = texts.map((t) => loaded!.encode(t));
      const ids = new Int32Array(rows.reduce((n, r) => n + r.length, 0));
      let at = 0;
      for (const r of rows) {
        ids.set(r, at);
        at += r.length;
      }
      const lengths = Int32Array.from(rows, (r) => r.length);
      // Through a promise, so that even a synchronous throw (a bad argument) is the batch's error, not the caller's.
      Promise.resolve(loaded!.model)
        .then((model) => addon.embed(model, ids, lengths))
        .then(
          (vectors) => !slot.retired && events.onResult(slot, { id, vectors }),
          (err: Error) => !slot.retired && events.onResult(slot, { id, error: err.message }),
        );
    },
    // Async work in flight keeps the process alive on its own; an idle slot holds nothing.
    hold() {},
    retire() {
      slot.retired = true;
      if (slot.idleTimer) clearTimeout(slot.idleTimer);
      clearTimeout(timer);
      ref.drop();
      return Promise.resolve();
    },
  };
  const timer = setTimeout(() => fail(`the model did not load within ${opts.loadTimeoutMs} ms`), opts.loadTimeoutMs);
  timer.unref();
  function fail(detail: string): void {
    if (ended || slot.retired) return;
    ended = true;
    clearTimeout(timer);
    ref.drop();
    events.onLoadFailed(slot, detail);
  }
  ref.loaded.then(
    (l) => {
      if (ended || slot.retired) return;
      clearTimeout(timer);
      loaded = l;
      slot.ready = true;
      events.onReady(slot);
    },
    (err: Error) => fail(`the model did not load (${err.message})`),
  );
  return slot;
}
