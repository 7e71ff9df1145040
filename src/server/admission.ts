/**
 * What an authenticated request must pass before its route runs: a device token's rate limit (docs/api.md, "Rate
 * limits"), then the route's capability. One implementation for both ways a request is answered: fastify's
 * onRequest hook (hooks.ts) and the fast path for the hottest reads (fast-path.ts).
 */
import type { Capability } from '../core/devices/service.js';
import { ProgenyError } from '../core/errors.js';
import { requireCapability, type Principal } from './auth.js';
import type { RateLimiter } from './rate-limit.js';

/** A device token over its rate; `retryAfterS` is the Retry-After header's value. */
export class RateLimitedError extends ProgenyError {
  constructor(
    principal: Principal,
    readonly retryAfterS: number,
  ) {
    super('RATE_LIMITED', `too many requests for token "${principal.name}"`, {
      hint: `retry after ${retryAfterS} s; the limit is server.rateLimit requests/s per token`,
    });
  }
}

/** Throws RateLimitedError or FORBIDDEN; a refused request takes nothing from its bucket. */
export type Authorize = (principal: Principal, cap: Capability | undefined) => void;

export function createAuthorize(limiter: RateLimiter | null): Authorize {
  // Named, so that a CPU profile tells it apart (scripts/profile-layers.mjs).
  return function authorize(principal, cap) {
    if (limiter && principal.kind === 'device') {
      const wait = limiter.take(principal.id);
      if (wait > 0) throw new RateLimitedError(principal, wait);
    }
    if (cap) requireCapability(principal, cap);
  };
}
