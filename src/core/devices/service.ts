/**
 * Devices and their capabilities (docs/domain.md, "Trust tiers and device permissions"). Every server request and every
 * applied sync batch checks a capability; permissions are cached per device and the cache is dropped whenever the
 * devices table changes (a version counter in meta, cheap to read), so a revocation is immediate in every process.
 * API tokens are stored only as SHA-256 hashes and never journalled for sync.
 */
import { nodeCrypto } from '../lazy-builtins.js';
import type Database from 'better-sqlite3';
import type { Clock } from '../clock.js';
import { notFound, ProgenyError, usageError } from '../errors.js';
import { createUlidFactory, type UlidFactory } from '../ids.js';
import { getMeta, immediate, nextCounter, type Db } from '../store/db.js';
import type { Journal } from '../sync/journal.js';
import { CAPABILITIES } from './types.js';
import type { Capability, Device, DeviceService } from './types.js';
import { act } from '../hints.js';
export { CAPABILITIES, type Capability, type Device, type DeviceService } from './types.js';

/**
 * Token lookups remembered between changes of the devices table (docs/api.md, "Authentication"). Misses are remembered
 * too (a client retrying a wrong token costs no query), so the key is whatever a client sends: the cache is bounded,
 * and when full the least recently used eighth is dropped. A dropped entry only costs one indexed query later.
 */
export const TOKEN_CACHE_MAX = 1024;

function pruneOldest(map: Map<string, unknown>, count: number): void {
  for (const key of map.keys()) {
    if (count-- <= 0) return;
    map.delete(key);
  }
}

export const hashToken = (token: string): string => nodeCrypto().createHash('sha256').update(token).digest('hex');

export function parseCapabilities(input: unknown): Capability[] {
  const list =
    typeof input === 'string'
      ? input
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : input;
  if (!Array.isArray(list)) throw usageError('capabilities must be a list', `known: ${CAPABILITIES.join(', ')}`);
  for (const c of list) {
    if (!(CAPABILITIES as readonly unknown[]).includes(c))
      throw usageError(`unknown capability "${String(c)}"`, `known: ${CAPABILITIES.join(', ')}`);
  }
  return [...new Set(list as Capability[])];
}

interface Row {
  id: string;
  name: string;
  capabilities: string;
  is_self: number;
  created_at: number;
  revoked_at: number | null;
}

const toDevice = (r: Row): Device => ({
  id: r.id,
  name: r.name,
  capabilities: JSON.parse(r.capabilities) as Capability[],
  isSelf: r.is_self === 1,
  createdAt: r.created_at,
  revokedAt: r.revoked_at,
});

/** The service's statements and its token cache (valid while the devices table's version counter is unchanged). */
interface DevicesContext {
  db: Db;
  journal: Journal;
  clock: Clock;
  ulid: UlidFactory;
  byId: Database.Statement;
  byToken: Database.Statement;
  cacheVersion: string;
  tokenCache: Map<string, Device | undefined>;
}

function getDevice(ctx: DevicesContext, id: string): Device {
  const row = ctx.byId.get(id) as Row | undefined;
  if (!row) throw notFound('device', id, { text: 'list the devices', actions: [act('device.list')] });
  return toDevice(row);
}

/** Updates a device, journals the changed fields and bumps the version that invalidates every process's cache. */
function change(ctx: DevicesContext, id: string, fn: () => void, fields: Record<string, unknown>): Device {
  return immediate(ctx.db, () => {
    getDevice(ctx, id);
    fn();
    for (const [field, value] of Object.entries(fields)) ctx.journal.recordChange('device', id, field, value);
    nextCounter(ctx.db, 'devices_version');
    return getDevice(ctx, id);
  });
}

function insertSelf(ctx: DevicesContext, name: string): Device {
  const { db, journal, clock } = ctx;
  return immediate(db, () => {
    const id = journal.deviceId;
    db.prepare('INSERT INTO devices (id, name, capabilities, is_self, created_at) VALUES (?, ?, ?, 1, ?)').run(
      id,
      name,
      JSON.stringify(CAPABILITIES),
      clock.now(),
    );
    journal.recordChange('device', id, '*', { name, capabilities: CAPABILITIES, createdAt: clock.now() });
    nextCounter(db, 'devices_version');
    return getDevice(ctx, id);
  });
}

function addDevice(ctx: DevicesContext, name: string, capabilities: Capability[]): { device: Device; token: string } {
  if (!name.trim()) throw usageError('a device needs a name');
  const { db, journal, clock } = ctx;
  const token = nodeCrypto().randomBytes(32).toString('base64url');
  const device = immediate(db, () => {
    const id = ctx.ulid(clock.now());
    db.prepare('INSERT INTO devices (id, name, capabilities, token_hash, created_at) VALUES (?, ?, ?, ?, ?)').run(
      id,
      name.trim(),
      JSON.stringify(capabilities),
      hashToken(token),
      clock.now(),
    );
    journal.recordChange('device', id, '*', { name: name.trim(), capabilities, createdAt: clock.now() });
    nextCounter(db, 'devices_version');
    return getDevice(ctx, id);
  });
  return { device, token };
}

function revoke(ctx: DevicesContext, id: string): Device {
  const d = getDevice(ctx, id);
  if (d.isSelf) throw usageError('this device cannot revoke itself', 'revoke it from another admin device');
  if (d.revokedAt !== null) return d;
  // Revocation is permanent: the token hash is dropped so the key can never authenticate again.
  return change(
    ctx,
    id,
    () => ctx.db.prepare('UPDATE devices SET revoked_at = ?, token_hash = NULL WHERE id = ?').run(ctx.clock.now(), id),
    { revoked: true },
  );
}

function authenticate(ctx: DevicesContext, token: string): Device | undefined {
  const v = getMeta(ctx.db, 'devices_version') ?? '0';
  if (v !== ctx.cacheVersion) {
    ctx.tokenCache.clear();
    ctx.cacheVersion = v;
  }
  const { tokenCache } = ctx;
  const h = hashToken(token);
  if (tokenCache.has(h)) {
    const cached = tokenCache.get(h);
    // Least recently used goes first: a hit moves to the end of the map's insertion order.
    tokenCache.delete(h);
    tokenCache.set(h, cached);
    return cached;
  }
  const row = ctx.byToken.get(h) as Row | undefined;
  const device = row && toDevice(row);
  if (tokenCache.size >= TOKEN_CACHE_MAX) pruneOldest(tokenCache, TOKEN_CACHE_MAX / 8);
  tokenCache.set(h, device);
  return device;
}

function requireCapability(device: Device, cap: Capability): void {
  if (device.revokedAt !== null || !(device.capabilities.includes(cap) || device.capabilities.includes('admin'))) {
    throw new ProgenyError('FORBIDDEN', `device "${device.name}" lacks the ${cap} capability`, {
      hint: 'grant it from an admin device',
      actions: [act('device.caps', { id: device.id, capabilities: cap })],
    });
  }
}

export function createDeviceService(
  db: Db,
  journal: Journal,
  clock: Clock,
  ulid: UlidFactory = createUlidFactory(),
): DeviceService {
  const ctx: DevicesContext = {
    db,
    journal,
    clock,
    ulid,
    byId: db.prepare('SELECT * FROM devices WHERE id = ?'),
    byToken: db.prepare('SELECT * FROM devices WHERE token_hash = ? AND revoked_at IS NULL'),
    cacheVersion: '',
    tokenCache: new Map(),
  };
  const svc: DeviceService = {
    list(opts = {}) {
      const rows = db
        .prepare(`SELECT * FROM devices ${opts.includeRevoked ? '' : 'WHERE revoked_at IS NULL'} ORDER BY created_at`)
        .all() as Row[];
      return rows.map(toDevice);
    },
    get: (id) => getDevice(ctx, id),
    self() {
      const row = db.prepare('SELECT * FROM devices WHERE is_self = 1').get() as Row | undefined;
      return row && toDevice(row);
    },
    ensureSelf: (name) => svc.self() ?? insertSelf(ctx, name),
    add: (name, capabilities) => addDevice(ctx, name, capabilities),
    rename: (id, name) => {
      if (!name.trim()) throw usageError('a device needs a name');
      return change(ctx, id, () => db.prepare('UPDATE devices SET name = ? WHERE id = ?').run(name.trim(), id), {
        name: name.trim(),
      });
    },
    setCapabilities: (id, caps) =>
      change(
        ctx,
        id,
        () => db.prepare('UPDATE devices SET capabilities = ? WHERE id = ?').run(JSON.stringify(caps), id),
        {
          capabilities: caps,
        },
      ),
    revoke: (id) => revoke(ctx, id),
    authenticate: (token) => authenticate(ctx, token),
    require: requireCapability,
    issueToken(id) {
      const token = nodeCrypto().randomBytes(32).toString('base64url');
      change(ctx, id, () => db.prepare('UPDATE devices SET token_hash = ? WHERE id = ?').run(hashToken(token), id), {});
      return token;
    },
    cachedTokens: () => ctx.tokenCache.size,
  };
  return svc;
}
