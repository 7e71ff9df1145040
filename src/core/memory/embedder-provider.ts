/** Wraps an LLM provider's embeddings endpoint as an Embedder: normalises vectors and learns the dimension. */
import { ProgenyError } from '../errors.js';
import type { Embedder } from './types.js';
import { normalise } from './vectors.js';
import { act } from '../hints.js';

export type EmbedFn = (texts: string[], signal?: AbortSignal) => Promise<(Float32Array | number[])[]>;

export function createProviderEmbedder(fn: EmbedFn, id: string, batchSize = 64): Embedder {
  let dims = 0;
  const embedder: Embedder = {
    id,
    remote: true,
    get dimensions() {
      return dims;
    },
    async embed(texts, signal) {
      const out: Float32Array[] = [];
      for (let i = 0; i < texts.length; i += batchSize) {
        const chunk = texts.slice(i, i + batchSize);
        const vecs = await fn(chunk, signal);
        if (vecs.length !== chunk.length) {
          throw new ProgenyError(
            'EMBEDDER',
            `embedder ${id} returned ${vecs.length} vectors for ${chunk.length} texts`,
            { hint: 'check embedder.model, or set embedder.kind to builtin' },
          );
        }
        for (const v of vecs) {
          const f = normalise(Float32Array.from(v));
          if (dims && f.length !== dims) {
            throw new ProgenyError('EMBEDDER', `embedder ${id} changed dimension (${dims} → ${f.length})`, {
              hint: 're-embed the memories after changing embedder.model',
              actions: [act('memory.reindex')],
            });
          }
          dims = f.length;
          out.push(f);
        }
      }
      return out;
    },
  };
  return embedder;
}
