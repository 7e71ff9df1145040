/**
 * Failures of Qdrant requests, sorted into transient (unreachable, timeout, 5xx, 429: retried with backoff, and once
 * retries run out the store goes to AMNESIA) and permanent (any other 4xx: the request itself is wrong, e.g. a vector
 * of the wrong dimension; retrying cannot help, so it fails at once with Qdrant's message).
 */
import { ProgenyError } from '../../errors.js';
import { parseRetryAfter, withRetry } from '../../retry.js';
import { act, type Hint } from '../../hints.js';

export class QdrantError extends ProgenyError {
  constructor(
    code: 'QDRANT_UNAVAILABLE' | 'QDRANT_REQUEST',
    message: string,
    readonly transient: boolean,
    cause: unknown,
    hint: Hint,
  ) {
    super(code, message, { cause, hint: hint.text, actions: hint.actions });
  }
}

export interface Classified {
  transient: boolean;
  message: string;
  /** Server-requested wait (Retry-After), in ms. */
  retryAfterMs?: number;
}

const TRANSIENT_STATUS = new Set([408, 429, 500, 502, 503, 504]);

/** What the client threw, read without depending on its classes (the client module is loaded lazily). */
export function classify(err: unknown): Classified {
  const e = err as {
    name?: string;
    message?: string;
    status?: number;
    data?: unknown;
    headers?: Headers;
    retry_after?: number;
    cause?: { code?: string };
  };
  if (e?.name === 'QdrantClientTimeoutError') return { transient: true, message: 'request timed out' };
  // The client turns a 429 with Retry-After into this error, but (1.18) reads only the header's first character,
  // so "120" arrives as 1 s: we honour what it gives, and the degrade-to-AMNESIA path covers longer waits.
  if (e?.name === 'QdrantClientResourceExhaustedError') {
    return {
      transient: true,
      message: 'rate limited (429)',
      retryAfterMs: Math.max(0, Number(e.retry_after) || 0) * 1000,
    };
  }
  if (typeof e?.status === 'number') {
    const body = e.data as { status?: { error?: string } } | undefined;
    const message = `HTTP ${e.status}: ${body?.status?.error ?? e.message ?? 'error'}`;
    const retryAfterMs = parseRetryAfter((name) => e.headers?.get?.(name));
    return {
      transient: TRANSIENT_STATUS.has(e.status),
      message,
      ...(retryAfterMs ? { retryAfterMs } : {}),
    };
  }
  if (e?.name === 'TypeError' || e?.cause?.code) {
    return { transient: true, message: `unreachable (${e.cause?.code ?? e.message ?? 'network error'})` };
  }
  return { transient: false, message: e?.message ?? String(err) };
}

export interface RetryPolicy {
  retries: number;
  baseMs: number;
  maxMs: number;
  /** A Retry-After longer than this is not waited for: the store degrades instead. */
  maxRetryAfterMs: number;
}

function qdrantError(what: string, url: string, err: unknown): QdrantError {
  const c = classify(err);
  return c.transient
    ? new QdrantError('QDRANT_UNAVAILABLE', `Qdrant at ${url} is unavailable (${what}): ${c.message}`, true, err, {
        text: 'check that Qdrant runs and memory.qdrant.url points at it; writes queue durably and replay when it is back',
        actions: [act('doctor')],
      })
    : new QdrantError('QDRANT_REQUEST', `Qdrant rejected ${what}: ${c.message}`, false, err, {
        text: 'compare the collection with the embedder',
        actions: [act('doctor')],
      });
}

/**
 * Runs one Qdrant call with retries (src/core/retry.ts: full-jitter backoff, at least the server's Retry-After).
 * Throws a QdrantError (transient = the store should degrade to AMNESIA); a close during a wait ends the retries
 * with the failure that caused the wait.
 */
export async function withRetries<T>(
  what: string,
  url: string,
  policy: RetryPolicy,
  fn: () => Promise<T>,
  signal?: AbortSignal,
): Promise<T> {
  let last: unknown;
  try {
    return await withRetry(fn, {
      ...policy,
      retryable: (err) => classify(err).transient,
      retryAfterMs: (err) => classify(err).retryAfterMs,
      onRetry: (_attempt, _wait, err) => (last = err),
      ...(signal ? { signal } : {}),
    });
  } catch (err) {
    throw qdrantError(what, url, signal?.aborted && last !== undefined ? last : err);
  }
}

export function isTransient(err: unknown): boolean {
  return err instanceof QdrantError && err.transient;
}
