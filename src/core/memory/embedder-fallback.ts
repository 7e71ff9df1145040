/**
 * The default embedder with its fallback (docs/embeddings.md, "Fallback"): the semantic model while it works, the
 * hash embedder from the moment it cannot load or its workers keep dying, for the rest of the process. The switch happens
 * inside embed(), before it returns, so a caller that reads `id` after awaiting its vectors always gets the id of the
 * embedder that made them; vectors of the two are never mixed (each memory records its embedder, and the store
 * searches only the current one's vectors). The notice is given once, with the reason.
 */
import { ProgenyError } from '../errors.js';
import type { ModelEmbedder } from './embedder-model.js';
import type { Embedder } from './types.js';

export interface EmbedderHealth {
  /** The embedder that makes vectors now. */
  id: string;
  /** The one configured. */
  preferred: string;
  state: 'idle' | 'loading' | 'ready' | 'fallback';
  detail?: string;
  /** What runs the semantic model and why (docs/embeddings.md, "The runtime"): `native: …` or `wasm: …`. */
  runtime?: string;
}

export interface FallbackEmbedder extends Embedder {
  readonly local: true;
  readonly preferred: string;
  health(): EmbedderHealth;
  /** Loads the model now (doctor, `serve` at start); resolves either way, health() tells the outcome. */
  warm(): Promise<void>;
  close(): Promise<void>;
}

export function createFallbackEmbedder(
  primary: ModelEmbedder,
  fallback: Embedder,
  onFallback: (detail: string) => void,
): FallbackEmbedder {
  let failed: string | null = null;
  const switchOver = (err: unknown): void => {
    if (failed !== null) return;
    failed = (err as Error).message;
    onFallback(failed);
  };
  const isUnavailable = (err: unknown) => err instanceof ProgenyError && err.code === 'EMBEDDER_UNAVAILABLE';
  return {
    get id() {
      return failed === null ? primary.id : fallback.id;
    },
    get dimensions() {
      return failed === null ? primary.dimensions : fallback.dimensions;
    },
    local: true,
    preferred: primary.id,
    get fallbackReason() {
      return failed ?? undefined;
    },
    /** Fallen back, it is the hash embedder: vectors are then made at once instead of in the background. */
    get cheap() {
      return failed !== null && fallback.cheap === true;
    },
    get ready() {
      return failed !== null || primary.status().state === 'ready';
    },
    async embed(texts, signal) {
      if (failed === null) {
        try {
          return await primary.embed(texts, signal);
        } catch (err) {
          if (!isUnavailable(err)) throw err;
          switchOver(err);
        }
      }
      return fallback.embed(texts, signal);
    },
    health() {
      if (failed !== null) return { id: fallback.id, preferred: primary.id, state: 'fallback', detail: failed };
      const s = primary.status();
      const r = primary.runtime();
      const runtime = `${r.runtime}: ${r.detail}`;
      if (s.state !== 'failed') return { id: primary.id, preferred: primary.id, state: s.state, runtime };
      switchOver(new Error(s.detail ?? 'the model failed'));
      return this.health();
    },
    async warm() {
      await primary.load().catch(switchOver);
    },
    close: () => primary.close(),
  };
}
