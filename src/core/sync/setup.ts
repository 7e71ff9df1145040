/**
 * Creating and joining vaults, and the admin operations on devices (approve, revoke with key rotation).
 * Passphrase → KEK (scrypt, stored parameters, floor) opens the root key; the root key opens the keyring of epoch
 * data keys; joining with the passphrase alone registers a pending device that an admin approves.
 */
import { randomBytes } from 'node:crypto';
import { ProgenyError } from '../errors.js';
import { immediate } from '../store/db.js';
import { CAPABILITIES } from '../devices/service.js';
import { boxTo, fromB64, newDeviceKeys, open, randomKey, seal, signKeysFromSeed, toB64 } from './crypto.js';
import { checkKdfParams, deriveKek, KDF_DEFAULT, newKdfParams, type KdfCost, type KdfParams } from './kdf.js';
import { requireStrongPassphrase } from './passphrase.js';
import { signOp, verifyJoin, type DeviceOp } from './device-log.js';
import type { SyncDeps, SyncSession } from './context.js';
import { fetchEpoch, openKeyring, refreshPeers, sealKeyringJson, type KeyRecord } from './peers.js';
import { createRelayClient } from './transport.js';
import { saveVault, type VaultState } from './vault-state.js';

export interface VaultParams {
  kdf: KdfParams;
  /** seal(VRK ‖ joinSeed, KEK). */
  wrappedVrk: string;
  joinPk0: string;
}

const MEMBER_CAPS = CAPABILITIES.filter((c) => c !== 'admin');

export const wrongPassphrase = (): ProgenyError =>
  new ProgenyError('SYNC_WRONG_PASSPHRASE', 'the passphrase does not open this vault', {
    hint: 'check the passphrase (it is case-sensitive); nothing was changed',
  });

export function sessionFor(deps: SyncDeps, vault: VaultState): SyncSession {
  return {
    ...deps,
    vault,
    relay: createRelayClient({
      base: vault.relay,
      ...(deps.transport ? { transport: deps.transport } : {}),
      signer: { deviceId: vault.deviceId, signSk: vault.keys.signSk },
      now: () => deps.clock.now(),
    }),
  };
}

export async function initVault(
  deps: SyncDeps,
  relay: string,
  passphrase: string,
  opts: { name: string; kdfCost?: KdfCost; signal?: AbortSignal },
): Promise<SyncSession> {
  await requireStrongPassphrase(passphrase);
  const keys = newDeviceKeys();
  const vrk = randomKey();
  const joinSeed = randomKey();
  const join = signKeysFromSeed(joinSeed);
  const kdf = newKdfParams(opts.kdfCost ?? KDF_DEFAULT);
  const kek = await deriveKek(passphrase, kdf);
  const dk0 = randomKey();
  const vaultId = randomBytes(16).toString('base64url');
  const vault: VaultState = {
    relay,
    vaultId,
    deviceId: deps.deviceId,
    keys,
    vrk,
    joinPk0: join.pk,
    epoch: 0,
    dataKeys: new Map([[0, dk0]]),
    status: 'active',
  };
  const params: VaultParams = {
    kdf,
    wrappedVrk: toB64(seal(Buffer.concat([vrk, joinSeed]), kek)),
    joinPk0: toB64(join.pk),
  };
  const genesis = signOp(
    {
      op: 'genesis',
      id: deps.deviceId,
      signPk: toB64(keys.signPk),
      boxPk: toB64(keys.boxPk),
      name: opts.name,
      caps: [...CAPABILITIES],
      by: deps.deviceId,
      at: deps.clock.now(),
    },
    keys.signSk,
    join.sk,
  );
  const record: KeyRecord = { keyring: toB64(seal(Buffer.from(sealKeyringJson(vault.dataKeys)), vrk)) };
  const s = sessionFor(deps, vault);
  await s.relay.call(
    'POST',
    '/v1/sync/vaults',
    { vaultId, params, genesis, keys: record },
    opts.signal ? { signal: opts.signal } : {},
  );
  saveVault(deps.paths, vault);
  resetCursor(deps);
  await refreshPeers(s, opts.signal);
  return s;
}

/** Opens the vault's root key with the passphrase (checks the KDF floor first). */
export async function unlock(
  deps: SyncDeps,
  relay: string,
  vaultId: string,
  passphrase: string,
  signal?: AbortSignal,
): Promise<{ vrk: Uint8Array; joinSeed: Uint8Array; params: VaultParams; epoch: number }> {
  const client = createRelayClient({ base: relay, ...(deps.transport ? { transport: deps.transport } : {}) });
  const res = await client.call<{ params: VaultParams; epoch: number }>(
    'GET',
    `/v1/sync/vaults/${encodeURIComponent(vaultId)}/params`,
    undefined,
    { unsigned: true, ...(signal ? { signal } : {}) },
  );
  if (!res.params || typeof res.params !== 'object')
    throw new ProgenyError('SYNC_BAD_RESPONSE', 'the relay sent malformed vault parameters', {});
  checkKdfParams(res.params.kdf);
  const plain = open(fromB64(res.params.wrappedVrk), await deriveKek(passphrase, res.params.kdf));
  if (!plain || plain.length !== 64) throw wrongPassphrase();
  const vrk = plain.subarray(0, 32);
  const joinSeed = plain.subarray(32);
  if (toB64(signKeysFromSeed(joinSeed).pk) !== res.params.joinPk0)
    throw new ProgenyError('SYNC_DEVICE_LOG', 'the vault parameters are inconsistent', {
      hint: 'the relay may be tampering',
    });
  return { vrk, joinSeed, params: res.params, epoch: res.epoch };
}

export async function joinVault(
  deps: SyncDeps,
  relay: string,
  vaultId: string,
  passphrase: string,
  opts: { name: string; signal?: AbortSignal },
): Promise<SyncSession> {
  const { vrk, joinSeed, epoch } = await unlock(deps, relay, vaultId, passphrase, opts.signal);
  const join = signKeysFromSeed(joinSeed);
  const keys = newDeviceKeys();
  const vault: VaultState = {
    relay,
    vaultId,
    deviceId: deps.deviceId,
    keys,
    vrk,
    joinPk0: join.pk,
    epoch: 0,
    dataKeys: new Map(),
    status: 'pending',
  };
  const s = sessionFor(deps, vault);
  const op = signOp(
    {
      op: 'add',
      id: deps.deviceId,
      signPk: toB64(keys.signPk),
      boxPk: toB64(keys.boxPk),
      name: opts.name,
      caps: [...MEMBER_CAPS],
      by: deps.deviceId,
      at: deps.clock.now(),
    },
    keys.signSk,
    join.sk,
  );
  await s.relay.call('POST', `/v1/sync/vaults/${vaultId}/join`, { op }, opts.signal ? { signal: opts.signal } : {});
  for (let e = 0; e <= epoch; e++) await fetchEpoch(s, e, opts.signal);
  if (!vault.dataKeys.has(epoch)) {
    const rec = await s.relay.call<{ record: KeyRecord }>('GET', `/v1/sync/vaults/${vaultId}/keys/latest`);
    const ring = openKeyring(rec.record, vrk);
    if (ring) for (const [e, k] of ring) vault.dataKeys.set(e, k);
  }
  vault.epoch = Math.max(0, ...vault.dataKeys.keys());
  saveVault(deps.paths, vault);
  yieldLocalIdentity(deps);
  resetCursor(deps);
  return s;
}

/**
 * A joining home's own identity and mood so far yield to the vault's: they leave the outbox so they do not overwrite
 * the companion being joined. Its memories and conversations are kept and pushed (add-wins).
 */
export function yieldLocalIdentity(deps: SyncDeps): void {
  immediate(deps.db, () => {
    deps.db.prepare("DELETE FROM outbox WHERE coll IN ('heritage', 'limbic')").run();
    deps.db.prepare("DELETE FROM sync_clocks WHERE coll IN ('heritage', 'limbic')").run();
  });
}

export function resetCursor(deps: SyncDeps): void {
  immediate(deps.db, () => {
    for (const k of ['sync_cursor', 'sync_head_max', 'sync_sealed_upto', 'sync_device_seq', 'sync_prev_hash'])
      deps.db.prepare('DELETE FROM meta WHERE key = ?').run(k);
    for (const t of ['sync_batches', 'sync_peers', 'sync_seen', 'sync_parked', 'sync_alarms'])
      deps.db.prepare(`DELETE FROM ${t}`).run();
  });
  // Everything already journalled (the outbox keeps it until a pull sees it) is sealed afresh for the new vault.
}

const requireAdmin = (s: SyncSession): void => {
  const me = s.db.prepare('SELECT caps, status FROM sync_peers WHERE device_id = ?').get(s.vault.deviceId) as
    { caps: string; status: string } | undefined;
  if (!me || me.status !== 'active' || !(JSON.parse(me.caps) as string[]).includes('admin')) {
    throw new ProgenyError('FORBIDDEN', 'only an admin device can change the vault’s devices', {
      hint: 'run this on the device that created the vault',
    });
  }
};

export async function approveDevice(
  s: SyncSession,
  deviceId: string,
  opts: { admin?: boolean; signal?: AbortSignal } = {},
): Promise<DeviceOp> {
  const { pending } = await refreshPeers(s, opts.signal);
  requireAdmin(s);
  const req = pending.find((p) => p.id === deviceId || p.id.startsWith(deviceId));
  if (!req)
    throw new ProgenyError('NOT_FOUND', `no pending device ${deviceId}`, {
      hint: 'list pending devices with `progeny device list`',
    });
  if (!verifyJoin(req, s.vault.joinPk0))
    throw new ProgenyError(
      'SYNC_BAD_JOIN',
      `the join request of ${req.id} is not signed with the vault passphrase`,
      {},
    );
  const op = signOp(
    {
      op: 'add',
      id: req.id,
      signPk: req.signPk,
      boxPk: req.boxPk,
      name: req.name,
      caps: opts.admin ? [...CAPABILITIES] : [...MEMBER_CAPS],
      by: s.vault.deviceId,
      at: s.clock.now(),
    },
    s.vault.keys.signSk,
  );
  await s.relay.call(
    'POST',
    `/v1/sync/vaults/${s.vault.vaultId}/devices`,
    { op },
    opts.signal ? { signal: opts.signal } : {},
  );
  await refreshPeers(s, opts.signal);
  return op;
}

/**
 * Revokes a device and rotates keys: a new root key and epoch key, the keyring re-sealed under it and the root key
 * boxed to each remaining device; with the passphrase, the relay's passphrase wrapping is renewed too (so the revoked
 * device cannot read the new root key even if it knows the passphrase, when a new one is given).
 */
export async function revokeDevice(
  s: SyncSession,
  deviceId: string,
  opts: { passphrase?: string; signal?: AbortSignal } = {},
): Promise<{ epoch: number }> {
  const { devices } = await refreshPeers(s, opts.signal);
  requireAdmin(s);
  const target = [...devices.values()].find((d) => d.id === deviceId || d.id.startsWith(deviceId));
  if (!target)
    throw new ProgenyError('NOT_FOUND', `device ${deviceId} is not in this vault`, {
      hint: 'list devices with `progeny device list`',
    });
  if (target.id === s.vault.deviceId)
    throw new ProgenyError('USAGE', 'this device cannot revoke itself', {
      hint: 'revoke it from another admin device',
    });
  const sig = opts.signal ? { signal: opts.signal } : {};
  const head = await s.relay.call<{ perDevice: Record<string, number> }>(
    'GET',
    `/v1/sync/vaults/${s.vault.vaultId}/head`,
    undefined,
    sig,
  );
  if (target.status !== 'revoked') {
    const op = signOp(
      {
        op: 'revoke',
        id: target.id,
        signPk: toB64(target.signPk),
        boxPk: toB64(target.boxPk),
        name: target.name,
        caps: target.caps,
        upTo: head.perDevice?.[target.id] ?? 0,
        by: s.vault.deviceId,
        at: s.clock.now(),
      },
      s.vault.keys.signSk,
    );
    await s.relay.call('POST', `/v1/sync/vaults/${s.vault.vaultId}/devices`, { op }, sig);
  }
  const latest = await s.relay.call<{ epoch: number }>(
    'GET',
    `/v1/sync/vaults/${s.vault.vaultId}/keys/latest`,
    undefined,
    sig,
  );
  const epoch = latest.epoch + 1;
  const vrk = randomKey();
  const keys = new Map(s.vault.dataKeys);
  keys.set(epoch, randomKey());
  // joinSeed stays: joins still need the passphrase and an admin's approval.
  let joinSeed: Uint8Array | undefined;
  if (opts.passphrase)
    joinSeed = (await unlock(s, s.vault.relay, s.vault.vaultId, opts.passphrase, opts.signal)).joinSeed;
  const boxes: Record<string, string> = {};
  for (const d of (await refreshPeers(s, opts.signal)).devices.values()) {
    if (d.status !== 'active') continue;
    boxes[d.id] = toB64(boxTo(Buffer.concat([vrk, joinSeed ?? new Uint8Array(32)]), d.boxPk, s.vault.keys.boxSk));
  }
  await s.relay.call(
    'PUT',
    `/v1/sync/vaults/${s.vault.vaultId}/keys/${epoch}`,
    {
      record: {
        keyring: toB64(seal(Buffer.from(sealKeyringJson(keys)), vrk)),
        boxes,
        from: s.vault.deviceId,
      } satisfies KeyRecord,
    },
    sig,
  );
  if (opts.passphrase && joinSeed) {
    const kdf = newKdfParams();
    const params: VaultParams = {
      kdf,
      wrappedVrk: toB64(seal(Buffer.concat([vrk, joinSeed]), await deriveKek(opts.passphrase, kdf))),
      joinPk0: toB64(s.vault.joinPk0),
    };
    const cur = await s.relay.call<{ epoch: number }>('GET', `/v1/sync/vaults/${s.vault.vaultId}/params`, undefined, {
      unsigned: true,
    });
    await s.relay.call(
      'PUT',
      `/v1/sync/vaults/${s.vault.vaultId}/params`,
      { params, epoch, expectEpoch: cur.epoch },
      sig,
    );
  }
  s.vault.vrk = vrk;
  s.vault.dataKeys = keys;
  s.vault.epoch = epoch;
  saveVault(s.paths, s.vault);
  return { epoch };
}

/** Changes the vault passphrase: only the root key's passphrase wrapping changes (docs/sync.md, "Keys"). */
export async function changePassphrase(
  s: SyncSession,
  oldPassphrase: string,
  newPassphrase: string,
  opts: { kdfCost?: KdfCost; signal?: AbortSignal } = {},
): Promise<void> {
  await requireStrongPassphrase(newPassphrase);
  const { vrk, joinSeed, epoch } = await unlock(s, s.vault.relay, s.vault.vaultId, oldPassphrase, opts.signal);
  const kdf = newKdfParams(opts.kdfCost ?? KDF_DEFAULT);
  const params: VaultParams = {
    kdf,
    wrappedVrk: toB64(seal(Buffer.concat([vrk, joinSeed]), await deriveKek(newPassphrase, kdf))),
    joinPk0: toB64(s.vault.joinPk0),
  };
  await s.relay.call(
    'PUT',
    `/v1/sync/vaults/${s.vault.vaultId}/params`,
    { params, epoch, expectEpoch: epoch },
    opts.signal ? { signal: opts.signal } : {},
  );
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
  const target = [...devices.values()].find((d) => d.id === deviceId || d.id.startsWith(deviceId));
  if (!target || target.status !== 'active')
    throw new ProgenyError('NOT_FOUND', `no active device ${deviceId} in this vault`, {
      hint: 'list devices with `progeny device list`',
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
      name: target.name,
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
