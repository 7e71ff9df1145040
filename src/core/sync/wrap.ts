/**
 * The vault parameters (docs/sync.md, "Keys" and "Revocation"): the passphrase wrapping of the root key, the join keys
 * and the retired wrappings. A revoked person may know the passphrase, so after a revocation the new root key is
 * wrapped only under a new passphrase (or not at all), and a passphrase that opened an earlier wrapping is refused.
 */
import { ProgenyError } from '../errors.js';
import { fromB64, open, seal, signKeysFromSeed, subkey, toB64 } from './crypto.js';
import { checkKdfParams, deriveKek, KDF_DEFAULT, newKdfParams, type KdfCost, type KdfParams } from './kdf.js';
import { requireStrongPassphrase } from './passphrase.js';
import type { RelayClient } from './transport.js';
import { act } from '../hints.js';

export interface WrappedVrk {
  kdf: KdfParams;
  /** secretbox(VRK ‖ joinSeed, KEK). */
  wrappedVrk: string;
}

export interface VaultParams extends Partial<WrappedVrk> {
  /** The genesis join key (from joinSeed): it signs the first device-log entry and never changes. */
  joinPk0: string;
  /** The current join key (from the root key): join requests must carry its signature. Absent on older vaults. */
  joinPk?: string;
  /** Wrappings a revocation retired: a new passphrase must open none of them. */
  retired?: WrappedVrk[];
}

/** Retired wrappings kept (each costs one KDF run when a passphrase is set). */
const MAX_RETIRED = 4;

/** The join key of a root key: whoever holds the current root key (the passphrase, or a device) can sign joins. */
export const joinKeysOf = (vrk: Uint8Array): { pk: Uint8Array; sk: Uint8Array } =>
  signKeysFromSeed(subkey(vrk, 'join'));

export const wrongPassphrase = (): ProgenyError =>
  new ProgenyError('SYNC_WRONG_PASSPHRASE', 'the passphrase does not open this vault', {
    hint: 'check the passphrase (it is case-sensitive); nothing was changed',
  });

export const noPassphrase = (): ProgenyError =>
  new ProgenyError('SYNC_NO_PASSPHRASE', 'no passphrase opens this vault since a device was revoked', {
    hint: 'set a new one on an admin device, or pair this device',
    actions: [act('sync.passphrase'), act('device.pair')],
  });

export async function fetchParams(
  relay: RelayClient,
  vaultId: string,
  signal?: AbortSignal,
): Promise<{ params: VaultParams; epoch: number }> {
  const res = await relay.call<{ params: VaultParams; epoch: number }>(
    'GET',
    `/v1/sync/vaults/${encodeURIComponent(vaultId)}/params`,
    undefined,
    { unsigned: true, ...(signal ? { signal } : {}) },
  );
  if (!res.params || typeof res.params !== 'object' || typeof res.params.joinPk0 !== 'string')
    throw new ProgenyError('SYNC_BAD_RESPONSE', 'the relay sent malformed vault parameters', {});
  return res;
}

/** Opens a wrapping with a passphrase: VRK and joinSeed, or null if the passphrase does not open it. */
export async function openWrap(
  w: WrappedVrk,
  passphrase: string,
): Promise<{ vrk: Uint8Array; joinSeed: Uint8Array } | null> {
  checkKdfParams(w.kdf);
  const plain = open(fromB64(w.wrappedVrk), await deriveKek(passphrase, w.kdf));
  if (!plain || plain.length !== 64) return null;
  return { vrk: plain.subarray(0, 32), joinSeed: plain.subarray(32) };
}

/** Throws unless `passphrase` may wrap the root key now: strong, and opening no retired wrapping. */
export async function requireFreshPassphrase(params: VaultParams | undefined, passphrase: string): Promise<void> {
  await requireStrongPassphrase(passphrase);
  for (const w of params?.retired ?? []) {
    if (await openWrap(w, passphrase).catch(() => null))
      throw new ProgenyError('SYNC_PASSPHRASE_RETIRED', 'this passphrase was retired when a device was revoked', {
        hint: 'the revoked device may know it; choose a passphrase you have not used for this vault',
      });
  }
}

/**
 * New params for root key `vrk`: wrapped under `passphrase` (checked first), or with no wrapping when it is undefined.
 * `retire` moves the current wrapping (if any) to the retired list: a revocation does this. `checked`: the caller ran
 * requireFreshPassphrase already (before changing anything).
 */
export async function wrapParams(
  current: VaultParams,
  keys: { vrk: Uint8Array; joinSeed: Uint8Array },
  passphrase: string | undefined,
  opts: { retire: boolean; kdfCost?: KdfCost; checked?: boolean },
): Promise<VaultParams> {
  const retired = [...(current.retired ?? [])];
  if (opts.retire && current.kdf && current.wrappedVrk)
    retired.unshift({ kdf: current.kdf, wrappedVrk: current.wrappedVrk });
  const next: VaultParams = { joinPk0: current.joinPk0, joinPk: toB64(joinKeysOf(keys.vrk).pk) };
  if (retired.length) next.retired = retired.slice(0, MAX_RETIRED);
  if (passphrase === undefined) return next;
  if (!opts.checked) await requireFreshPassphrase(next, passphrase);
  const kdf = newKdfParams(opts.kdfCost ?? KDF_DEFAULT);
  const kek = await deriveKek(passphrase, kdf);
  return { ...next, kdf, wrappedVrk: toB64(seal(Buffer.concat([keys.vrk, keys.joinSeed]), kek)) };
}
