/**
 * Which embedder a home uses (docs/embeddings.md): embedder.kind=builtin is the semantic model in a worker thread
 * with the hash embedder as its fallback, hash is the hash embedder alone, provider is the LLM server's embeddings
 * endpoint (the hash embedder while no model server is configured). Every one is wrapped in the embedding cache.
 */
import { availableParallelism } from 'node:os';
import type { Config } from '../config/schema.js';
import type { LlmProvider } from '../llm/types.js';
import { createBuiltinEmbedder } from '../memory/embedder-builtin.js';
import { createCachedEmbedder, type CachedEmbedder } from '../memory/embedder-cached.js';
import { createFallbackEmbedder, type EmbedderHealth } from '../memory/embedder-fallback.js';
import { createModelEmbedder, type EmbedderRuntime } from '../memory/embedder-model.js';
import { createProviderEmbedder } from '../memory/embedder-provider.js';
import type { Embedder } from '../memory/types.js';
import { hashEmbedderFor, type OldEmbedderFor } from '../memory/old-vectors.js';
import type { Db } from '../store/db.js';

export interface EngineEmbedder {
  embedder: CachedEmbedder;
  health(): EmbedderHealth;
  /** Loads the semantic model now (no-op for the others). */
  warm(): Promise<void>;
  close(): Promise<void>;
}

export function createEngineEmbedder(
  db: Db,
  config: Config,
  llm: LlmProvider | null,
  onFallback: (detail: string) => void,
): EngineEmbedder {
  const kind = config['embedder.kind'];
  if (kind === 'builtin') {
    const model = createModelEmbedder({
      idleMs: config['embedder.idleMs'],
      runtime: config['embedder.runtime'] as EmbedderRuntime,
      maxWorkers: Math.min(config['embedder.workers'], availableParallelism()),
    });
    const inner = createFallbackEmbedder(model, createBuiltinEmbedder(), onFallback);
    return { embedder: createCachedEmbedder(db, inner), health: inner.health, warm: inner.warm, close: inner.close };
  }
  const model = config['embedder.model'];
  const inner =
    kind === 'provider' && llm
      ? createProviderEmbedder(
          (texts, signal) => llm.embed(texts, { model, ...(signal ? { signal } : {}) }),
          `${llm.id}:${model}`,
        )
      : createBuiltinEmbedder();
  const health = (): EmbedderHealth => ({ id: inner.id, preferred: inner.id, state: 'ready' });
  return { embedder: createCachedEmbedder(db, inner), health, warm: async () => {}, close: async () => {} };
}

/**
 * The embedders whose vectors memories may still carry after a switch (the old-vector channel of recall,
 * src/core/memory/old-vectors.ts): the hash embedder's, and those of a model of the configured provider's server
 * (`<provider>:<model>`), asked only when it answers promptly. The semantic model's vectors are left to the words
 * while another embedder is configured: loading it only to search vectors on their way out is not worth its memory.
 */
export function oldEmbedderFor(llm: LlmProvider | null): OldEmbedderFor {
  return (id): Embedder | null => {
    const hash = hashEmbedderFor(id);
    if (hash || !llm || !id.startsWith(`${llm.id}:`)) return hash;
    const model = id.slice(llm.id.length + 1);
    return createProviderEmbedder((texts, signal) => llm.embed(texts, { model, ...(signal ? { signal } : {}) }), id);
  };
}
