/**
 * Revocation and passphrase changes (docs/sync.md, "Revocation"). Revoking a device — active or still pending — is
 * permanent and rotates the keys: a new root key and epoch key, the keyring sealed under it, the root key boxed to
 * each remaining active device. The revoked person may know the passphrase, so the new root key is wrapped only under
 * a new passphrase, or under none until `progeny sync passphrase` sets one; the old passphrase is retired for good.
 */
import { logNameOf } from './device-name.js';
import { ProgenyError } from '../errors.js';
import type { SyncSession } from './context.js';
import { boxTo, randomKey, seal, toB64 } from './crypto.js';
import { signOp } from './device-log.js';
import type { KdfCost } from './kdf.js';
import { openKeyring, refreshPeers, sealKeyringJson, type KeyRecord } from './peers.js';
import { findDevice, requireAdmin } from './admin.js';
import { saveVault } from './vault-state.js';
import {
  fetchParams,
  openWrap,
  requireFreshPassphrase,
  wrapParams,
  wrongPassphrase,
  type VaultParams,
} from './wrap.js';
import type { RevokeResult } from './api.js';
import { act } from '../hints.js';
export { type RevokeResult } from './api.js';

type RootKeys = { vrk: Uint8Array; joinSeed: Uint8Array };

const needPassphrase = (): ProgenyError =>
  new ProgenyError('SYNC_NEED_PASSPHRASE', 'this device does not hold the vault’s join key yet', {
    hint: 'give the current passphrase once (PROGENY_SYNC_PASSPHRASE), so this device can learn it',
  });

/** The current root key and join seed: from the passphrase if given, else from this device's secrets. */
async function rootKeys(s: SyncSession, params: VaultParams, passphrase?: string): Promise<RootKeys> {
  if (passphrase !== undefined && params.kdf && params.wrappedVrk) {
    const keys = await openWrap({ kdf: params.kdf, wrappedVrk: params.wrappedVrk }, passphrase);
    if (!keys) throw wrongPassphrase();
    s.vault.joinSeed = keys.joinSeed;
    return keys;
  }
  if (!s.vault.joinSeed) throw needPassphrase();
  const latest = await s.relay.call<{ record: KeyRecord }>('GET', `/v1/sync/vaults/${s.vault.vaultId}/keys/latest`);
  if (!openKeyring(latest.record, s.vault.vrk))
    throw new ProgenyError('SYNC_NO_KEYS', 'this device’s root key is not the vault’s current one', {
      hint: 'pull first, or give the current passphrase (PROGENY_SYNC_PASSPHRASE)',
      actions: [act('sync.pull')],
    });
  return { vrk: s.vault.vrk, joinSeed: s.vault.joinSeed };
}

export async function revokeDevice(
  s: SyncSession,
  deviceId: string,
  opts: { newPassphrase?: string; passphrase?: string; signal?: AbortSignal } = {},
): Promise<RevokeResult> {
  const sig = opts.signal ? { signal: opts.signal } : {};
  const { devices, pending } = await refreshPeers(s, opts.signal);
  requireAdmin(s);
  const target = findDevice(devices.values(), deviceId) ?? findDevice(pending, deviceId);
  if (!target)
    throw new ProgenyError('NOT_FOUND', `device ${deviceId} is not in this vault`, {
      hint: 'list the devices',
      actions: [act('device.list')],
    });
  if (target.id === s.vault.deviceId)
    throw new ProgenyError('USAGE', 'this device cannot revoke itself', {
      hint: 'revoke it from another admin device',
    });
  const { params, epoch: paramsEpoch } = await fetchParams(s.relay, s.vault.vaultId, opts.signal);
  const root = await rootKeys(s, params, opts.passphrase);
  // Checked before anything changes: the passphrase being retired now counts as retired.
  const retiring: VaultParams = { ...params, retired: [...(params.retired ?? [])] };
  if (params.kdf && params.wrappedVrk) retiring.retired?.push({ kdf: params.kdf, wrappedVrk: params.wrappedVrk });
  if (opts.newPassphrase !== undefined) await requireFreshPassphrase(retiring, opts.newPassphrase);

  if (!('status' in target) || target.status !== 'revoked') {
    const head = await s.relay.call<{ perDevice: Record<string, number> }>(
      'GET',
      `/v1/sync/vaults/${s.vault.vaultId}/head`,
      undefined,
      sig,
    );
    const keys = 'status' in target ? { signPk: toB64(target.signPk), boxPk: toB64(target.boxPk) } : target;
    const op = signOp(
      {
        op: 'revoke',
        id: target.id,
        signPk: keys.signPk,
        boxPk: keys.boxPk,
        name: logNameOf(target.name, s.vault.joinSeed),
        caps: target.caps,
        upTo: head.perDevice?.[target.id] ?? 0,
        by: s.vault.deviceId,
        at: s.clock.now(),
      },
      s.vault.keys.signSk,
    );
    await s.relay.call('POST', `/v1/sync/vaults/${s.vault.vaultId}/devices`, { op }, sig);
  }
  const epoch = await rotate(s, root.joinSeed, opts.signal);
  const next = await wrapParams(params, { vrk: s.vault.vrk, joinSeed: root.joinSeed }, opts.newPassphrase, {
    retire: true,
    checked: true,
  });
  const body = { params: next, epoch, expectEpoch: paramsEpoch };
  await s.relay.call('PUT', `/v1/sync/vaults/${s.vault.vaultId}/params`, body, sig);
  return { epoch, passphrase: opts.newPassphrase === undefined ? 'none' : 'new' };
}

/** A new root key and epoch key, the keyring re-sealed under it, the root key boxed to every active device. */
async function rotate(s: SyncSession, joinSeed: Uint8Array, signal?: AbortSignal): Promise<number> {
  const sig = signal ? { signal } : {};
  const path = `/v1/sync/vaults/${s.vault.vaultId}/keys`;
  const latest = await s.relay.call<{ epoch: number }>('GET', `${path}/latest`, undefined, sig);
  const epoch = latest.epoch + 1;
  const vrk = randomKey();
  const keys = new Map(s.vault.dataKeys);
  keys.set(epoch, randomKey());
  const boxes: Record<string, string> = {};
  for (const d of (await refreshPeers(s, signal)).devices.values()) {
    if (d.status !== 'active') continue;
    boxes[d.id] = toB64(boxTo(Buffer.concat([vrk, joinSeed]), d.boxPk, s.vault.keys.boxSk));
  }
  const record: KeyRecord = {
    keyring: toB64(seal(Buffer.from(sealKeyringJson(keys)), vrk)),
    boxes,
    from: s.vault.deviceId,
  };
  await s.relay.call('PUT', `${path}/${epoch}`, { record }, sig);
  s.vault.vrk = vrk;
  s.vault.dataKeys = keys;
  s.vault.epoch = epoch;
  saveVault(s.paths, s.vault);
  return epoch;
}

/**
 * Wraps the root key under a new passphrase with the current KDF (this upgrades scrypt vaults). The current
 * passphrase is needed only when the vault has a wrapping and this device does not hold the join key.
 */
export async function changePassphrase(
  s: SyncSession,
  oldPassphrase: string | undefined,
  newPassphrase: string,
  opts: { kdfCost?: KdfCost; signal?: AbortSignal } = {},
): Promise<void> {
  const { params, epoch } = await fetchParams(s.relay, s.vault.vaultId, opts.signal);
  const root = await rootKeys(s, params, oldPassphrase);
  const next = await wrapParams(params, root, newPassphrase, {
    retire: false,
    ...(opts.kdfCost ? { kdfCost: opts.kdfCost } : {}),
  });
  const body = { params: next, epoch, expectEpoch: epoch };
  await s.relay.call(
    'PUT',
    `/v1/sync/vaults/${s.vault.vaultId}/params`,
    body,
    opts.signal ? { signal: opts.signal } : {},
  );
  saveVault(s.paths, s.vault);
}
