/**
 * Creating and joining vaults (docs/sync.md, "Keys" and "The device log"). Passphrase → KEK (kdf.ts, stored parameters,
 * floor) opens the root key; the root key opens the keyring of epoch data keys. Joining with the passphrase registers
 * a pending device: it receives no keys and no batches until an admin device approves it (admin.ts).
 */
import { sealLogName } from './device-name.js';
import { randomBytes } from 'node:crypto';
import { CAPABILITIES } from '../devices/service.js';
import { ProgenyError } from '../errors.js';
import { immediate } from '../store/db.js';
import type { SyncDeps, SyncSession } from './context.js';
import { newDeviceKeys, randomKey, seal, signKeysFromSeed, toB64 } from './crypto.js';
import { signOp } from './device-log.js';
import type { KdfCost } from './kdf.js';
import { refreshPeers, sealKeyringJson, type KeyRecord } from './peers.js';
import { createRelayClient } from './transport.js';
import { saveVault, type VaultState } from './vault-state.js';
import {
  fetchParams,
  joinKeysOf,
  noPassphrase,
  openWrap,
  wrapParams,
  wrongPassphrase,
  type VaultParams,
} from './wrap.js';

export { wrongPassphrase } from './wrap.js';
export const MEMBER_CAPS = CAPABILITIES.filter((c) => c !== 'admin');

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

/**
 * A vault as this device holds it when it creates one (active, with the epoch-0 data key it made) or asks to join one
 * (pending: the data keys come with its approval).
 */
function vaultAtStart(
  v: Pick<VaultState, 'relay' | 'vaultId' | 'deviceId' | 'keys' | 'vrk'> & { joinSeed: Uint8Array },
  status: VaultState['status'],
): VaultState {
  const dataKeys = new Map<number, Uint8Array>(status === 'active' ? [[0, randomKey()]] : []);
  return { ...v, joinPk0: signKeysFromSeed(v.joinSeed).pk, epoch: 0, dataKeys, status };
}

export async function initVault(
  deps: SyncDeps,
  relay: string,
  passphrase: string,
  opts: { name: string; kdfCost?: KdfCost; signal?: AbortSignal },
): Promise<SyncSession> {
  const keys = newDeviceKeys();
  const vrk = randomKey();
  const joinSeed = randomKey();
  const join = signKeysFromSeed(joinSeed);
  const params = await wrapParams({ joinPk0: toB64(join.pk) }, { vrk, joinSeed }, passphrase, {
    retire: false,
    ...(opts.kdfCost ? { kdfCost: opts.kdfCost } : {}),
  });
  const vaultId = randomBytes(16).toString('base64url');
  const vault = vaultAtStart({ relay, vaultId, deviceId: deps.deviceId, keys, vrk, joinSeed }, 'active');
  const genesis = signOp(
    {
      op: 'genesis',
      id: deps.deviceId,
      signPk: toB64(keys.signPk),
      boxPk: toB64(keys.boxPk),
      name: sealLogName(opts.name, joinSeed),
      caps: [...CAPABILITIES],
      by: deps.deviceId,
      at: deps.clock.now(),
    },
    keys.signSk,
    join.sk,
  );
  const record: KeyRecord = { keyring: toB64(seal(Buffer.from(sealKeyringJson(vault.dataKeys)), vrk)) };
  const s = sessionFor(deps, vault);
  const sig = opts.signal ? { signal: opts.signal } : {};
  await s.relay.call('POST', '/v1/sync/vaults', { vaultId, params, genesis, keys: record }, sig);
  saveVault(deps.paths, vault);
  resetCursor(deps);
  await refreshPeers(s, opts.signal);
  return s;
}

/** Opens the vault's root key with the passphrase (checks the KDF limits and the join keys). */
export async function unlock(
  deps: SyncDeps,
  relay: string,
  vaultId: string,
  passphrase: string,
  signal?: AbortSignal,
): Promise<{ vrk: Uint8Array; joinSeed: Uint8Array; params: VaultParams; epoch: number }> {
  const client = createRelayClient({ base: relay, ...(deps.transport ? { transport: deps.transport } : {}) });
  const { params, epoch } = await fetchParams(client, vaultId, signal);
  if (!params.kdf || !params.wrappedVrk) throw noPassphrase();
  const keys = await openWrap({ kdf: params.kdf, wrappedVrk: params.wrappedVrk }, passphrase);
  if (!keys) throw wrongPassphrase();
  const genesisOk = toB64(signKeysFromSeed(keys.joinSeed).pk) === params.joinPk0;
  if (!genesisOk || (params.joinPk !== undefined && params.joinPk !== toB64(joinKeysOf(keys.vrk).pk)))
    throw new ProgenyError('SYNC_DEVICE_LOG', 'the vault parameters are inconsistent', {
      hint: 'the relay may be tampering',
    });
  return { ...keys, params, epoch };
}

/** The key a join request is signed with: the current join key, or the genesis one on vaults made before it. */
export const joinSignerFor = (params: VaultParams, keys: { vrk: Uint8Array; joinSeed: Uint8Array }): Uint8Array =>
  params.joinPk === undefined ? signKeysFromSeed(keys.joinSeed).sk : joinKeysOf(keys.vrk).sk;

/** Registers this device as pending; it reads nothing until an admin device approves it (then its pull fetches keys). */
export async function joinVault(
  deps: SyncDeps,
  relay: string,
  vaultId: string,
  passphrase: string,
  opts: { name: string; signal?: AbortSignal },
): Promise<SyncSession> {
  const { vrk, joinSeed, params } = await unlock(deps, relay, vaultId, passphrase, opts.signal);
  const keys = newDeviceKeys();
  const vault = vaultAtStart({ relay, vaultId, deviceId: deps.deviceId, keys, vrk, joinSeed }, 'pending');
  const s = sessionFor(deps, vault);
  const op = signOp(
    {
      op: 'add',
      id: deps.deviceId,
      signPk: toB64(keys.signPk),
      boxPk: toB64(keys.boxPk),
      name: sealLogName(opts.name, joinSeed),
      caps: [...MEMBER_CAPS],
      by: deps.deviceId,
      at: deps.clock.now(),
    },
    keys.signSk,
    joinSignerFor(params, { vrk, joinSeed }),
  );
  await s.relay.call('POST', `/v1/sync/vaults/${vaultId}/join`, { op }, opts.signal ? { signal: opts.signal } : {});
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
