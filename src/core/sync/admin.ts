/**
 * What an admin device does to the vault's devices (docs/sync.md, "The device log"): approve or reject a pending join, and
 * set a device's capabilities. Revocation, which rotates the keys, is in revoke.ts.
 */
import { logNameOf } from './device-name.js';
import { CAPABILITIES } from '../devices/service.js';
import { ProgenyError } from '../errors.js';
import type { SyncSession } from './context.js';
import { toB64 } from './crypto.js';
import { signOp, verifyJoin, type DeviceOp, type LogDevice } from './device-log.js';
import { refreshPeers } from './peers.js';
import { MEMBER_CAPS } from './setup.js';
import { fetchParams, joinKeysOf } from './wrap.js';
import { act } from '../hints.js';

export function requireAdmin(s: SyncSession): void {
  const me = s.db.prepare('SELECT caps, status FROM sync_peers WHERE device_id = ?').get(s.vault.deviceId) as
    { caps: string; status: string } | undefined;
  if (!me || me.status !== 'active' || !(JSON.parse(me.caps) as string[]).includes('admin')) {
    throw new ProgenyError('FORBIDDEN', 'only an admin device can change the vault’s devices', {
      hint: 'run this on the device that created the vault',
    });
  }
}

/** A device or pending join named by id or id prefix; undefined if none. */
export function findDevice<T extends { id: string }>(list: Iterable<T>, id: string): T | undefined {
  const all = [...list];
  return all.find((d) => d.id === id) ?? all.find((d) => d.id.startsWith(id));
}

const noPending = (deviceId: string): ProgenyError =>
  new ProgenyError('NOT_FOUND', `no pending device ${deviceId}`, {
    hint: 'list the pending devices',
    actions: [act('device.list')],
  });

/** Whether a join request carries the signature of the vault's current join key (the genesis one on older vaults). */
async function joinIsCurrent(s: SyncSession, req: DeviceOp, signal?: AbortSignal): Promise<boolean> {
  const { params } = await fetchParams(s.relay, s.vault.vaultId, signal);
  if (params.joinPk === undefined) return verifyJoin(req, s.vault.joinPk0);
  return verifyJoin(req, joinKeysOf(s.vault.vrk).pk);
}

export async function approveDevice(
  s: SyncSession,
  deviceId: string,
  opts: { admin?: boolean; signal?: AbortSignal } = {},
): Promise<DeviceOp> {
  const { pending } = await refreshPeers(s, opts.signal);
  requireAdmin(s);
  const req = findDevice(pending, deviceId);
  if (!req) throw noPending(deviceId);
  if (!(await joinIsCurrent(s, req, opts.signal)))
    throw new ProgenyError('SYNC_BAD_JOIN', `the join request of ${req.id} is not signed with the vault passphrase`, {
      hint: 'it may come from before a revocation or a passphrase change: reject it, and join again',
    });
  const op = signOp(
    {
      op: 'add',
      id: req.id,
      signPk: req.signPk,
      boxPk: req.boxPk,
      // A join request's name is sealed by the joining device; one from an older client is sealed here.
      name: logNameOf(req.name, s.vault.joinSeed),
      caps: opts.admin ? [...CAPABILITIES] : [...MEMBER_CAPS],
      by: s.vault.deviceId,
      at: s.clock.now(),
    },
    s.vault.keys.signSk,
  );
  const sig = opts.signal ? { signal: opts.signal } : {};
  await s.relay.call('POST', `/v1/sync/vaults/${s.vault.vaultId}/devices`, { op }, sig);
  await refreshPeers(s, opts.signal);
  return op;
}

/** Drops a pending join request (the device may ask again; `device revoke` bans it for good). */
export async function rejectDevice(s: SyncSession, deviceId: string, signal?: AbortSignal): Promise<DeviceOp> {
  const { pending } = await refreshPeers(s, signal);
  requireAdmin(s);
  const req = findDevice(pending, deviceId);
  if (!req) throw noPending(deviceId);
  const path = `/v1/sync/vaults/${s.vault.vaultId}/pending/${encodeURIComponent(req.id)}`;
  await s.relay.call('DELETE', path, undefined, signal ? { signal } : {});
  return req;
}

/** Sets a vault device's capabilities (a signed `caps` entry in the device log; the relay enforces it at once). */
export async function setDeviceCaps(
  s: SyncSession,
  deviceId: string,
  caps: string[],
  signal?: AbortSignal,
): Promise<DeviceOp> {
  const { devices } = await refreshPeers(s, signal);
  requireAdmin(s);
  const target: LogDevice | undefined = findDevice(devices.values(), deviceId);
  if (!target || target.status !== 'active')
    throw new ProgenyError('NOT_FOUND', `no active device ${deviceId} in this vault`, {
      hint: 'list the devices',
      actions: [act('device.list')],
    });
  const unknown = caps.filter((c) => !(CAPABILITIES as readonly string[]).includes(c));
  if (unknown.length)
    throw new ProgenyError('USAGE', `unknown capability ${unknown.join(', ')}`, {
      hint: `known: ${CAPABILITIES.join(', ')}`,
    });
  if (target.id === s.vault.deviceId && !caps.includes('admin'))
    throw new ProgenyError('USAGE', 'this device cannot drop its own admin capability', {});
  const op = signOp(
    {
      op: 'caps',
      id: target.id,
      signPk: toB64(target.signPk),
      boxPk: toB64(target.boxPk),
      name: logNameOf(target.name, s.vault.joinSeed),
      caps,
      by: s.vault.deviceId,
      at: s.clock.now(),
    },
    s.vault.keys.signSk,
  );
  await s.relay.call('POST', `/v1/sync/vaults/${s.vault.vaultId}/devices`, { op }, signal ? { signal } : {});
  await refreshPeers(s, signal);
  return op;
}
