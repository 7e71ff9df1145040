/**
 * Which model requests to retry (the policy, Retry-After and the sleep are src/core/retry.ts). Only failures that
 * happen before the first token are retried; the caller enforces that.
 */
import { isProgenyError } from '../errors.js';
import { retryWait, type BackoffPolicy } from '../retry.js';
import type { LlmErrorDetails } from './errors.js';

export interface RetryPolicy extends BackoffPolicy {
  retries: number;
}

const RETRYABLE = new Set(['LLM_UNREACHABLE', 'LLM_RATE_LIMITED', 'LLM_STREAM_CUT']);

/** Connection failures, cut connections, 429 and 5xx may succeed on a second try; the rest will not. */
export function isRetryable(err: unknown): boolean {
  if (!isProgenyError(err)) return false;
  if (RETRYABLE.has(err.code)) return true;
  const status = (err.details as LlmErrorDetails | undefined)?.status;
  return err.code === 'LLM_HTTP' && status !== undefined && status >= 500;
}

/** How long to wait before retry number attempt+1: the backoff, but at least the server's Retry-After. */
export function retryDelay(err: unknown, attempt: number, policy: RetryPolicy): number {
  const asked = isProgenyError(err) ? (err.details as LlmErrorDetails | undefined)?.retryAfterMs : undefined;
  return retryWait(attempt, policy, asked);
}
