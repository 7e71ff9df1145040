/**
 * When to retry a model request and how long to wait: exponential backoff with full jitter (a uniform wait in
 * [0, min(max, base·2^attempt)]), or what the server asked for with Retry-After / retry-after-ms. Only failures
 * that happen before the first token are retried; the caller enforces that.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { isProgenyError } from '../errors.js';
import type { LlmErrorDetails } from './errors.js';

export interface RetryPolicy {
  retries: number;
  baseMs: number;
  maxMs: number;
  /** Uniform in [0, 1); injectable so tests can pin the jitter. */
  random?: () => number;
}

export function backoffDelay(attempt: number, policy: RetryPolicy): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** attempt);
  return Math.floor((policy.random ?? Math.random)() * ceiling);
}

const MAX_RETRY_AFTER_MS = 24 * 3_600_000;

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** The wait a server asked for, in ms: retry-after-ms (OpenAI), Retry-After in seconds or as an HTTP date. */
export function parseRetryAfter(headers: IncomingHttpHeaders, now = Date.now()): number | undefined {
  const ms = header(headers, 'retry-after-ms');
  if (ms !== undefined && /^\d+(\.\d+)?$/.test(ms.trim())) return Math.min(Number(ms), MAX_RETRY_AFTER_MS);
  const ra = header(headers, 'retry-after')?.trim();
  if (ra === undefined || ra === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(ra)) return Math.min(Number(ra) * 1000, MAX_RETRY_AFTER_MS);
  const at = Date.parse(ra);
  return Number.isNaN(at) ? undefined : Math.min(Math.max(0, at - now), MAX_RETRY_AFTER_MS);
}

const RETRYABLE = new Set(['LLM_UNREACHABLE', 'LLM_RATE_LIMITED', 'LLM_STREAM_CUT']);

/** Connection failures, cut connections, 429 and 5xx may succeed on a second try; the rest will not. */
export function isRetryable(err: unknown): boolean {
  if (!isProgenyError(err)) return false;
  if (RETRYABLE.has(err.code)) return true;
  const status = (err.details as LlmErrorDetails | undefined)?.status;
  return err.code === 'LLM_HTTP' && status !== undefined && status >= 500;
}

/** How long to wait before retry number attempt+1: the server's Retry-After when it gave one, else backoff. */
export function retryDelay(err: unknown, attempt: number, policy: RetryPolicy): number {
  const asked = isProgenyError(err) ? (err.details as LlmErrorDetails | undefined)?.retryAfterMs : undefined;
  return asked ?? backoffDelay(attempt, policy);
}
