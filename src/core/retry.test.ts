import { describe, expect, it } from 'vitest';
import { backoffDelay, parseRetryAfter, retryWait, sleep, withRetry, type RetryOptions } from './retry.js';

const fromObject =
  (h: Record<string, string>) =>
  (name: string): string | undefined =>
    h[name];

/** A clock that moves only when the retry loop sleeps, recording every wait. */
function fakeTime(): { now: () => number; sleep: (ms: number) => Promise<void>; waits: number[] } {
  let t = 0;
  const waits: number[] = [];
  return {
    now: () => t,
    sleep: async (ms) => {
      waits.push(ms);
      t += ms;
    },
    waits,
  };
}

describe('backoff and Retry-After', () => {
  it('uses full jitter under an exponential ceiling capped at maxMs', () => {
    const policy = { baseMs: 100, maxMs: 1_000 };
    const top = [0, 1, 2, 3, 4, 5].map((a) => backoffDelay(a, { ...policy, random: () => 0.9999 }));
    expect(top).toEqual([99, 199, 399, 799, 999, 999]);
    expect(backoffDelay(3, { ...policy, random: () => 0 })).toBe(0);
    const samples = Array.from({ length: 200 }, () => backoffDelay(2, policy));
    expect(Math.min(...samples)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...samples)).toBeLessThan(400);
    expect(new Set(samples).size).toBeGreaterThan(20); // jittered, not a fixed wait
  });

  it('never waits less than the server asked for', () => {
    const policy = { baseMs: 100, maxMs: 1_000, random: () => 0.5 };
    expect(retryWait(0, policy, 1234)).toBe(1234);
    expect(retryWait(3, policy, 10)).toBe(400);
    expect(retryWait(3, policy)).toBe(400);
  });

  it('parses retry-after-ms, delta seconds and HTTP dates', () => {
    const now = Date.parse('2025-01-15T10:00:00Z');
    const parse = (h: Record<string, string>): number | undefined => parseRetryAfter(fromObject(h), now);
    expect(parse({ 'retry-after-ms': '250' })).toBe(250);
    expect(parse({ 'retry-after': '3' })).toBe(3_000);
    expect(parse({ 'retry-after': ' 120 ' })).toBe(120_000);
    expect(parse({ 'retry-after': 'Wed, 15 Jan 2025 10:00:05 GMT' })).toBe(5_000);
    expect(parse({ 'retry-after': 'Wed, 15 Jan 2025 09:00:00 GMT' })).toBe(0);
    expect(parse({ 'retry-after': 'soon' })).toBeUndefined();
    expect(parse({ 'retry-after': '' })).toBeUndefined();
    expect(parse({})).toBeUndefined();
  });

  it('sleeps until aborted, then rejects with the abort reason', async () => {
    const c = new AbortController();
    const reason = new Error('stop');
    const waiting = sleep(60_000, c.signal);
    c.abort(reason);
    await expect(waiting).rejects.toBe(reason);
    await expect(sleep(1, c.signal)).rejects.toBe(reason);
    await expect(sleep(1)).resolves.toBeUndefined();
  });
});

describe('withRetry', () => {
  const failing = (errors: unknown[]): (() => Promise<string>) => {
    let i = 0;
    return async () => {
      if (i < errors.length) throw errors[i++];
      return 'ok';
    };
  };
  const base = (time: ReturnType<typeof fakeTime>): RetryOptions => ({
    baseMs: 500,
    maxMs: 60_000,
    random: () => 1,
    retryable: (e) => (e as { transient?: boolean }).transient === true,
    retryAfterMs: (e) => (e as { after?: number }).after,
    now: time.now,
    sleep: time.sleep,
  });

  it('retries transient failures with growing waits, honouring Retry-After', async () => {
    const time = fakeTime();
    const errors = [{ transient: true, after: 7_000 }, ...Array.from({ length: 4 }, () => ({ transient: true }))];
    await expect(withRetry(failing(errors), base(time))).resolves.toBe('ok');
    expect(time.waits).toEqual([7_000, 1_000, 2_000, 4_000, 8_000]);
  });

  it('throws at once what is not retryable', async () => {
    const time = fakeTime();
    const permanent = { transient: false };
    await expect(withRetry(failing([permanent]), base(time))).rejects.toBe(permanent);
    expect(time.waits).toEqual([]);
  });

  it('stops after the retries, at the budget, or when Retry-After asks for too long', async () => {
    const t1 = fakeTime();
    const many = Array.from({ length: 10 }, () => ({ transient: true }));
    await expect(withRetry(failing(many), { ...base(t1), retries: 2 })).rejects.toBe(many[2]);
    expect(t1.waits).toHaveLength(2);
    const t2 = fakeTime();
    await expect(withRetry(failing(many), { ...base(t2), budgetMs: 3_000 })).rejects.toBeDefined();
    expect(t2.waits).toEqual([500, 1_000]);
    const t3 = fakeTime();
    const slow = { transient: true, after: 120_000 };
    await expect(withRetry(failing([slow]), { ...base(t3), maxRetryAfterMs: 30_000 })).rejects.toBe(slow);
    expect(t3.waits).toEqual([]);
  });

  it('does not retry once the signal is aborted', async () => {
    const c = new AbortController();
    c.abort();
    const time = fakeTime();
    const err = { transient: true };
    await expect(withRetry(failing([err]), { ...base(time), signal: c.signal })).rejects.toBe(err);
    expect(time.waits).toEqual([]);
  });
});
