/**
 * The query's vector for recall, and whether the vector channel could be used (docs/memory-recall.md, "When the
 * vectors cannot be used"). Recall never fails because of its embedder: when the query cannot be embedded (a
 * provider that is down, answers an error, hangs past embedder.queryTimeoutMs, or gives a vector of another
 * dimension than the stored ones) it answers by the query's words, and says so in the `RecallInfo` it returns.
 */
import { toProgenyError } from '../errors.js';
import type { Db } from '../store/db.js';
import { embedderReads } from './embedder-reads.js';
import type { Embedder, RecallInfo } from './types.js';

/** After a query embedding that timed out, the embedder is not asked again for this long: recall never waits twice. */
export const QUERY_RETRY_MS = 30_000;

export interface QueryVector {
  /** Null: the vector channel is left out and the words decide. */
  vector: Float32Array | null;
  recall: RecallInfo;
  /** The embedder failed (or is left out after a timeout): nothing else should ask it now. */
  failed?: true;
}

export interface QueryVectorDeps {
  db: Db;
  embedder: Embedder;
  /** Bound of one query embedding by a remote embedder (embedder.queryTimeoutMs). */
  timeoutMs: number;
  /** The embedder stopped answering queries (called once per outage, with the reason). */
  onUnavailable?: (info: RecallInfo) => void;
}

const USED: RecallInfo = { vectors: 'used' };

/**
 * Embeds a query; a remote embedder within `signal`'s bound: when it fires the promise rejects at once (and the
 * request is aborted), whatever the embedder does with the signal.
 */
async function embedWithin(e: Embedder, text: string, signal: AbortSignal | undefined): Promise<Float32Array> {
  if (!signal) return (await e.embed([text]))[0] as Float32Array;
  const timedOut = new Promise<never>((_, reject) =>
    signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true }),
  );
  return (await Promise.race([e.embed([text], signal), timedOut]))[0] as Float32Array;
}

/** The query's vector; `down()`: the last query embedding failed (nothing else should wait on the embedder now). */
export type QueryVectors = ((text: string, lexical: boolean) => Promise<QueryVector>) & { down(): boolean };

export function createQueryVectors(deps: QueryVectorDeps): QueryVectors {
  const { embedder } = deps;
  // The dimension of the stored vectors, by embedder id: read once, and again only when a query disagrees with it.
  // (Prepared on first use: a command that never recalls pays nothing.)
  let storedDims: ReturnType<Db['prepare']> | undefined;
  const dims = new Map<string, number | undefined>();
  const dimsOf = (id: string, fresh: boolean): number | undefined => {
    storedDims ??= deps.db
      .prepare('SELECT length(vector) / 4 FROM memories WHERE embedder = ? AND vector IS NOT NULL LIMIT 1')
      .pluck();
    // Unknown (no stored vector yet) is asked again next time: the first vectors may be written meanwhile.
    if (fresh || dims.get(id) === undefined) dims.set(id, storedDims.get(id) as number | undefined);
    return dims.get(id);
  };
  let skipUntil = 0;
  let down: string | null = null;
  const unavailable = (reason: string): QueryVector => {
    const recall: RecallInfo = { vectors: 'none', reason };
    if (down === null) deps.onUnavailable?.(recall);
    down = reason;
    return { vector: null, recall, failed: true };
  };

  const query = async (text: string, lexical: boolean): Promise<QueryVector> => {
    // A query the model cannot read (mostly another script) is answered by its words alone (embedder-reads.ts).
    if (lexical && !embedderReads(embedder.id, text))
      return {
        vector: null,
        recall: { vectors: 'none', reason: `the embedder ${embedder.id} cannot read the query's script` },
      };
    if (Date.now() < skipUntil && down !== null) return unavailable(down);
    let vector: Float32Array;
    const bound = embedder.remote ? AbortSignal.timeout(deps.timeoutMs) : undefined;
    try {
      vector = await embedWithin(embedder, text, bound);
    } catch (err) {
      // A slow embedder is left out for a while (QUERY_RETRY_MS); one that fails at once is asked again next time.
      if (bound?.aborted) skipUntil = Date.now() + QUERY_RETRY_MS;
      const why = bound?.aborted ? `no answer within ${deps.timeoutMs} ms` : toProgenyError(err).message;
      return unavailable(`the embedder ${embedder.id} did not embed the query (${why})`);
    }
    // Only a model server can change a model's dimension behind its name: the built-in embedders cost no query here.
    const stored = embedder.remote ? dimsOf(embedder.id, false) : undefined;
    if (stored !== undefined && stored !== vector.length && dimsOf(embedder.id, true) !== vector.length)
      return unavailable(
        `the embedder ${embedder.id} gave the query ${vector.length} dimensions, the stored vectors have ${stored}`,
      );
    down = null;
    if (embedder.fallbackReason !== undefined)
      return {
        vector,
        recall: { vectors: 'fallback', reason: `${embedder.fallbackReason}; ${embedder.id} stands in` },
      };
    return { vector, recall: USED };
  };
  return Object.assign(query, { down: () => down !== null });
}
