/**
 * Retrying a request to another server (the model server, Qdrant, the sync relay): one backoff policy, one reading of
 * Retry-After, one abortable sleep, and one retry loop. The policy is exponential backoff with full jitter — a uniform
 * wait in [0, min(max, base·2^attempt)] — and never shorter than what the server asked for.
 */
import { setTimeout as delay } from 'node:timers/promises';

export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
  /** Uniform in [0, 1); injectable so tests can pin the jitter. */
  random?: () => number;
}

export function backoffDelay(attempt: number, p: BackoffPolicy): number {
  return Math.floor((p.random ?? Math.random)() * Math.min(p.maxMs, p.baseMs * 2 ** attempt));
}

/** The wait before retry number attempt+1: the backoff, but at least the server's Retry-After. */
export const retryWait = (attempt: number, p: BackoffPolicy, retryAfterMs?: number): number =>
  Math.max(retryAfterMs ?? 0, backoffDelay(attempt, p));

const MAX_RETRY_AFTER_MS = 24 * 3_600_000;

/**
 * The wait a server asked for, in ms: `retry-after-ms` (OpenAI), or `Retry-After` in seconds or as an HTTP date;
 * undefined when it asked for nothing readable. `header` reads one header by lower-case name.
 */
export function parseRetryAfter(
  header: (name: string) => string | null | undefined,
  now: number = Date.now(),
): number | undefined {
  const number = (v: string): number | undefined => (/^\d+(\.\d+)?$/.test(v) ? Number(v) : undefined);
  const ms = number(header('retry-after-ms')?.trim() ?? '');
  if (ms !== undefined) return Math.min(ms, MAX_RETRY_AFTER_MS);
  const ra = header('retry-after')?.trim();
  if (!ra) return undefined;
  const seconds = number(ra);
  if (seconds !== undefined) return Math.min(seconds * 1000, MAX_RETRY_AFTER_MS);
  const at = Date.parse(ra);
  return Number.isNaN(at) ? undefined : Math.min(Math.max(0, at - now), MAX_RETRY_AFTER_MS);
}

/** Waits ms, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason as Error);
  return delay(ms, undefined, signal ? { signal } : {}).catch((err: unknown) => {
    throw signal?.aborted ? (signal.reason as Error) : err;
  });
}

export interface RetryOptions extends BackoffPolicy {
  /** Which failures may succeed on another try. */
  retryable(err: unknown): boolean;
  /** The wait the server asked for with this failure, if any. */
  retryAfterMs?(err: unknown): number | undefined;
  /** At most this many retries (unbounded when absent: then budgetMs bounds them). */
  retries?: number;
  /** No retry whose wait would end later than this many ms after the first attempt started. */
  budgetMs?: number;
  /** A Retry-After longer than this is not waited for: the last failure is thrown instead. */
  maxRetryAfterMs?: number;
  signal?: AbortSignal;
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  onRetry?(attempt: number, waitMs: number, err: unknown): void;
}

/** Runs fn until it succeeds, a failure is not retryable, or the retries, the budget or the signal run out. */
export async function withRetry<T>(fn: () => Promise<T>, o: RetryOptions): Promise<T> {
  const now = o.now ?? Date.now;
  const deadline = o.budgetMs === undefined ? Infinity : now() + o.budgetMs;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!o.retryable(err) || attempt >= (o.retries ?? Infinity) || o.signal?.aborted) throw err;
      const asked = o.retryAfterMs?.(err);
      if (asked !== undefined && asked > (o.maxRetryAfterMs ?? Infinity)) throw err;
      const wait = retryWait(attempt, o, asked);
      if (now() + wait > deadline) throw err;
      o.onRetry?.(attempt + 1, wait, err);
      await (o.sleep ?? sleep)(wait, o.signal);
    }
  }
}
