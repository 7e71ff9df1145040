/** Retry policy (docs/sync.md): full-jitter exponential backoff, Retry-After honoured, budget, 4xx never retried. */
import { describe, expect, it } from 'vitest';
import { ProgenyError } from '../errors.js';
import { createRelayClient, RelayHttpError, withRelayRetry, type Transport } from './transport.js';

const fakeTime = (): { now: () => number; sleep: (ms: number) => Promise<void>; waits: number[] } => {
  let t = 0;
  const waits: number[] = [];
  return { now: () => t, waits, sleep: async (ms) => void (waits.push(ms), (t += ms)) };
};

describe('relay client retries', () => {
  it('backs off with full jitter, doubling to the cap, and honours Retry-After', async () => {
    const time = fakeTime();
    let calls = 0;
    const r = await withRelayRetry(
      async () => {
        calls++;
        if (calls === 1) throw new RelayHttpError(429, 'SYNC_RATE_LIMITED', 'slow down', {}, 7_000);
        if (calls < 6) throw new RelayHttpError(503, 'SYNC_RELAY_ERROR', 'down');
        return 'ok';
      },
      { budgetMs: 120_000, now: time.now, sleep: time.sleep, random: () => 1 },
    );
    expect(r).toBe('ok');
    expect(time.waits).toEqual([7_000, 1_000, 2_000, 4_000, 8_000]);
  });

  it('gives up when the budget is spent, and never retries 400/401/403', async () => {
    const time = fakeTime();
    let calls = 0;
    await expect(
      withRelayRetry(
        async () => {
          calls++;
          throw new ProgenyError('SYNC_UNREACHABLE', 'no route');
        },
        { budgetMs: 3_000, now: time.now, sleep: time.sleep, random: () => 1 },
      ),
    ).rejects.toThrow(/no route/);
    expect(calls).toBe(3);
    for (const status of [400, 401, 403]) {
      let n = 0;
      await expect(
        withRelayRetry(
          async () => {
            n++;
            throw new RelayHttpError(status, 'SYNC_BAD_REQUEST', 'no');
          },
          { budgetMs: 60_000, now: time.now, sleep: time.sleep },
        ),
      ).rejects.toThrow();
      expect(n).toBe(1);
    }
  });

  it('maps transport failures and garbage to typed errors', async () => {
    const failing: Transport = async () => {
      throw new Error('ECONNREFUSED');
    };
    await expect(
      createRelayClient({ base: 'http://x', transport: failing }).call('GET', '/v1/sync/vaults/v/head'),
    ).rejects.toMatchObject({ code: 'SYNC_UNREACHABLE', exitCode: 6 });
    const html: Transport = async () => ({ status: 200, headers: {}, body: '<html>' });
    await expect(createRelayClient({ base: 'http://x', transport: html }).call('GET', '/')).rejects.toMatchObject({
      code: 'SYNC_BAD_RESPONSE',
    });
    const revoked: Transport = async () => ({
      status: 403,
      headers: {},
      body: '{"error":{"code":"SYNC_REVOKED","message":"revoked"}}',
    });
    await expect(createRelayClient({ base: 'http://x', transport: revoked }).call('GET', '/')).rejects.toMatchObject({
      code: 'SYNC_REVOKED',
      exitCode: 7,
    });
  });
});
