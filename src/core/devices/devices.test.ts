import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../clock.js';
import { openDatabase } from '../store/db.js';
import { createJournal } from '../sync/journal.js';
import { tempDb } from '../../testing/temp-home.js';
import { createDeviceService, parseCapabilities, TOKEN_CACHE_MAX } from './service.js';
import { requireTier } from './trust-tiers.js';

describe('devices and permissions', () => {
  let t: ReturnType<typeof tempDb>;
  const clock = fixedClock(1_700_000_000_000);
  beforeEach(() => (t = tempDb()));
  afterEach(() => t.cleanup());
  const make = (db = t.db) => createDeviceService(db, createJournal(db, clock, 'self-device'), clock);

  it('creates the self device with every capability, once', () => {
    const svc = make();
    const self = svc.ensureSelf('laptop');
    expect(self).toMatchObject({ id: 'self-device', isSelf: true });
    expect(self.capabilities).toContain('admin');
    expect(svc.ensureSelf('other').name).toBe('laptop');
  });

  it('authenticates tokens, checks capabilities, and revocation is immediate across connections', () => {
    const a = make();
    const db2 = openDatabase(t.paths.db);
    const b = make(db2);
    const { device, token } = a.add('phone', ['chat', 'memory:read']);
    const authed = b.authenticate(token);
    expect(authed?.id).toBe(device.id);
    expect(() => b.require(authed!, 'chat')).not.toThrow();
    expect(() => b.require(authed!, 'memory:write')).toThrow(
      expect.objectContaining({ code: 'FORBIDDEN', exitCode: 7 }),
    );
    expect(b.authenticate('wrong-token')).toBeUndefined();
    a.revoke(device.id);
    expect(b.authenticate(token)).toBeUndefined();
    expect(a.get(device.id).revokedAt).not.toBeNull();
    db2.close();
  });

  it('remembers a bounded number of token lookups: a flood of random tokens neither grows memory nor evicts access', () => {
    const svc = make();
    const { device, token } = svc.add('phone', ['chat']);
    expect(svc.authenticate(token)?.id).toBe(device.id);
    for (let i = 0; i < 20_000; i++) {
      expect(svc.authenticate(randomBytes(32).toString('base64url'))).toBeUndefined();
    }
    expect(svc.cachedTokens()).toBeLessThanOrEqual(TOKEN_CACHE_MAX);
    expect(svc.authenticate(token)?.id).toBe(device.id);
    svc.revoke(device.id);
    expect(svc.authenticate(token)).toBeUndefined();
  });

  it('never stores or journals the token itself', () => {
    const { token } = make().add('tablet', ['chat']);
    const raw =
      JSON.stringify(t.db.prepare('SELECT * FROM devices').all()) +
      JSON.stringify(t.db.prepare('SELECT * FROM outbox').all());
    expect(raw).not.toContain(token);
  });

  it('validates capability lists', () => {
    expect(parseCapabilities('chat, memory:read')).toEqual(['chat', 'memory:read']);
    expect(() => parseCapabilities('chat,root')).toThrow(/unknown capability "root"/);
  });

  it('enforces trust tiers', () => {
    expect(() => requireTier(0.5, 1, 'draft an email')).toThrow(
      expect.objectContaining({ code: 'TRUST_TIER', exitCode: 7 }),
    );
    expect(() => requireTier(0.65, 1, 'draft an email')).not.toThrow();
    expect(() => requireTier(0.85, 3, 'rename files')).toThrow(/tier 3/);
  });
});
