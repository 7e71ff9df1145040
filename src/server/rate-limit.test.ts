import { describe, expect, it } from 'vitest';
import { pickEncoding } from './compress.js';
import { addressKey, createRateLimiter } from './rate-limit.js';

describe('token bucket', () => {
  it('allows a burst, then the rate, per key, and says how long to wait', () => {
    let now = 0;
    const rl = createRateLimiter({ perSecond: 2, burst: 3 }, { now: () => now });
    expect([rl.take('a'), rl.take('a'), rl.take('a')]).toEqual([0, 0, 0]);
    expect(rl.take('a')).toBe(1);
    expect(rl.take('b')).toBe(0);
    now += 500; // one token back at 2/s
    expect(rl.take('a')).toBe(0);
    expect(rl.take('a')).toBeGreaterThan(0);
    now += 10_000;
    expect([rl.take('a'), rl.take('a'), rl.take('a'), rl.take('a')]).toEqual([0, 0, 0, 1]);
  });

  it('holds at most maxKeys buckets under a flood of new keys', () => {
    let now = 0;
    const rl = createRateLimiter({ perSecond: 1, burst: 5 }, { maxKeys: 1000, now: () => now });
    let most = 0;
    for (let i = 0; i < 50_000; i++) {
      now += 0.01;
      rl.take(`rotating-${i}`);
      most = Math.max(most, rl.size);
    }
    expect(most).toBe(1000);
  });

  it('drops full buckets first (forgetting nothing), then the least recently used', () => {
    let now = 0;
    const rl = createRateLimiter({ perSecond: 1, burst: 2 }, { maxKeys: 10, now: () => now });
    rl.take('busy');
    rl.take('busy');
    for (let i = 0; i < 9; i++) rl.take(`idle-${i}`);
    now += 1500; // the idle buckets refill; 'busy' got 1.5 tokens back, not 2
    rl.take('new');
    expect(rl.size).toBe(2);
    expect([rl.take('busy'), rl.take('busy')]).toEqual([0, 1]);
    // All busy: the least recently used goes first.
    for (let i = 0; i < 20; i++) rl.take(`hot-${i}`);
    expect(rl.size).toBeLessThanOrEqual(10);
    expect(rl.take('hot-19')).toBe(0);
  });

  it('keys addresses: IPv4 as is, mapped IPv4 unwrapped, IPv6 by /64', () => {
    expect(addressKey('10.0.0.7')).toBe('10.0.0.7');
    expect(addressKey('::ffff:10.0.0.7')).toBe('10.0.0.7');
    expect(addressKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:0db8:0001:0002:bbbb:cccc:dddd:eeee')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
    expect(addressKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
  });
});

describe('Accept-Encoding negotiation', () => {
  it('prefers brotli, then gzip, honours q=0 and *', () => {
    expect(pickEncoding('gzip, deflate, br')).toBe('br');
    expect(pickEncoding('gzip')).toBe('gzip');
    expect(pickEncoding('br;q=0, gzip;q=0.5')).toBe('gzip');
    expect(pickEncoding('identity')).toBeUndefined();
    expect(pickEncoding('*')).toBe('br');
    expect(pickEncoding('*, br;q=0')).toBe('gzip');
    expect(pickEncoding(undefined)).toBeUndefined();
  });
});
