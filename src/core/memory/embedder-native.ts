/**
 * The native runtime of the built-in semantic embedder (docs/embeddings.md, "The runtime"): our own C++ forward
 * pass of Universal Sentence Encoder lite (src/native/, built into dist/native/use-lite.node by
 * scripts/build-native.mjs), which reads the weights from the model package's shards and runs each batch as async
 * work on libuv's thread pool, so no worker thread (no second V8 isolate, no tfjs) is needed. Here: loading the addon
 * (a missing or broken one is a reason, not an error: embedder-model.ts then uses the WebAssembly workers), one
 * loaded model shared by every slot and released with the last, and the slot (embedder-slot.ts's interface) the
 * scheduler hands batches to. The main thread only normalizes the texts (NFKC, native in V8 and cheap); the addon
 * tokenizes them in the batch's async work (src/native/tokenizer.cc, the same ids as the worker's
 * embedder-tokenizer.cjs), because a chat turn's contextual texts made the JavaScript tokenizer ~1.3 ms of main
 * thread per turn (docs/embeddings.md, "The runtime").
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PROBE_TEXT, probeMismatch } from './embedder-fingerprint.js';
import { weightSpec } from './embedder-native-spec.js';
import type { Slot, SlotEvents } from './embedder-slot.js';

export interface NativeAddon {
  load(shards: string[], spec: Float64Array): Promise<object>;
  /** Tokenizes (texts NFKC-normalized) and embeds, both in the async work. */
  embedTexts(model: object, tokenizer: object, texts: string[]): Promise<Float32Array>;
  /** The sentence-piece vocabulary (vocab.json's pieces and scores) as a tokenizer handle. */
  tokenizer(pieces: string[], scores: Float64Array): object;
  /** One NFKC-normalized text's token ids, synchronously. */
  tokenize(tokenizer: object, text: string): Int32Array;
  release(model: object): void;
  isa(): string;
}

const require = createRequire(import.meta.url);
let defaultAddon: string | undefined;
/**
 * Beside dist/core/memory/ in the build and src/core/memory/ in the sources, both three levels under the root. Made
 * on first use: building the file URL at module evaluation cost every engine command ~0.3 ms (docs/performance.md).
 */
export const defaultAddonPath = (): string =>
  (defaultAddon ??= fileURLToPath(new URL('../../../dist/native/use-lite.node', import.meta.url)));

/** The addon, or why it cannot be used (not built, built for another Node or machine, not an addon at all). */
export function loadAddon(path = defaultAddonPath()): { addon: NativeAddon } | { reason: string } {
  try {
    const addon = require(path) as NativeAddon;
    if (typeof addon.isa !== 'function' || typeof addon.load !== 'function')
      return { reason: `${path} is not the embedder's addon` };
    if (typeof addon.embedTexts !== 'function') return { reason: `${path} is an older build; run npm run build` };
    return { addon };
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'MODULE_NOT_FOUND') return { reason: `the native addon is not built (${path} is missing)` };
    return { reason: `the native addon does not load (${e.message.split('\n')[0]})` };
  }
}

interface Loaded {
  model: object;
  tokenizer: object;
}

interface Shared {
  refs: number;
  loading: Promise<Loaded>;
}

const shared = new Map<string, Shared>();

async function loadModel(addon: NativeAddon, modelDir: string, dims: number): Promise<Loaded> {
  // node:fs/promises imported here, not at the top: every command that opens the engine evaluates this module.
  const { readFile } = await import('node:fs/promises');
  const [{ shards, spec }, vocabulary] = await Promise.all([
    weightSpec(modelDir),
    readFile(join(modelDir, 'vocab.json'), 'utf8').then((s) => JSON.parse(s) as [string, number][]),
  ]);
  const model = await addon.load(shards, spec);
  const tokenizer = addon.tokenizer(
    vocabulary.map(([piece]) => piece),
    Float64Array.from(vocabulary, ([, score]) => score),
  );
  // One sentence end to end, as the worker does: weights that do not fit the graph fail here, not on a real text.
  const probe = await addon.embedTexts(model, tokenizer, [PROBE_TEXT]);
  const wrong =
    probe.length !== dims
      ? `the model makes ${probe.length}-dimensional vectors`
      : probe.some((x) => !Number.isFinite(x))
        ? 'the model answered no vector'
        : probeMismatch(probe);
  if (wrong) {
    addon.release(model);
    throw new Error(wrong);
  }
  return { model, tokenizer };
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
      const { model, tokenizer } = loaded!;
      const normalized = texts.map((t) => t.normalize('NFKC'));
      // Through a promise, so that even a synchronous throw (a bad argument) is the batch's error, not the caller's.
      Promise.resolve()
        .then(() => addon.embedTexts(model, tokenizer, normalized))
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
