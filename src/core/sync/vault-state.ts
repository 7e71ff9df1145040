/**
 * This device's sync secrets: its signing and box keys, the vault root key and the epoch data keys, in one 0600 file
 * in the home's secrets directory. Never synced, never sent anywhere in the clear.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ProgenyError } from '../errors.js';
import { writeSecretFile } from '../fs-atomic.js';
import type { Paths } from '../paths.js';
import { fromB64, toB64, type DeviceKeys } from './crypto.js';
import { act } from '../hints.js';

export interface VaultState {
  relay: string;
  vaultId: string;
  deviceId: string;
  keys: DeviceKeys;
  vrk: Uint8Array;
  /** The genesis join key: every client checks the device log's first entry against it. */
  joinPk0: Uint8Array;
  /**
   * The genesis join seed (docs/sync.md, "Keys"): a device that holds it can wrap the root key under a new passphrase
   * without the old one (after a revocation). Absent on devices set up before issue 12 until they unlock once.
   */
  joinSeed?: Uint8Array;
  epoch: number;
  dataKeys: Map<number, Uint8Array>;
  status: 'active' | 'pending';
}

export const vaultFile = (paths: Paths): string => join(paths.secrets, 'sync-vault.json');

export function saveVault(paths: Paths, s: VaultState): void {
  const json = {
    v: 1,
    relay: s.relay,
    vaultId: s.vaultId,
    deviceId: s.deviceId,
    signPk: toB64(s.keys.signPk),
    signSk: toB64(s.keys.signSk),
    boxPk: toB64(s.keys.boxPk),
    boxSk: toB64(s.keys.boxSk),
    vrk: toB64(s.vrk),
    joinPk0: toB64(s.joinPk0),
    ...(s.joinSeed ? { joinSeed: toB64(s.joinSeed) } : {}),
    epoch: s.epoch,
    dataKeys: Object.fromEntries([...s.dataKeys].map(([e, k]) => [String(e), toB64(k)])),
    status: s.status,
  };
  writeSecretFile(vaultFile(paths), `${JSON.stringify(json, null, 2)}\n`);
}

export const notConfigured = (): ProgenyError =>
  new ProgenyError('SYNC_NOT_CONFIGURED', 'sync is not set up in this home', {
    hint: 'create a vault, or join one',
    actions: [act('sync.init'), act('sync.join')],
  });

export function hasVault(paths: Paths): boolean {
  return existsSync(vaultFile(paths));
}

export function loadVault(paths: Paths): VaultState {
  const file = vaultFile(paths);
  if (!existsSync(file)) throw notConfigured();
  const mode = statSync(file).mode & 0o777;
  if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
    throw new ProgenyError('SECRET_MODE', `${file} is readable by others (mode ${mode.toString(8)})`, {
      hint: `run: chmod 600 ${file}`,
    });
  }
  try {
    const j = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    return {
      relay: String(j.relay),
      vaultId: String(j.vaultId),
      deviceId: String(j.deviceId),
      keys: {
        signPk: fromB64(j.signPk, 32),
        signSk: fromB64(j.signSk, 64),
        boxPk: fromB64(j.boxPk, 32),
        boxSk: fromB64(j.boxSk, 32),
      },
      vrk: fromB64(j.vrk, 32),
      joinPk0: fromB64(j.joinPk0, 32),
      ...(j.joinSeed === undefined ? {} : { joinSeed: fromB64(j.joinSeed, 32) }),
      epoch: Number(j.epoch),
      dataKeys: new Map(
        Object.entries(j.dataKeys as Record<string, string>).map(([e, k]) => [Number(e), fromB64(k, 32)]),
      ),
      status: j.status === 'pending' ? 'pending' : 'active',
    };
  } catch (err) {
    throw new ProgenyError('SYNC_SECRETS_INVALID', `${file} is not a valid sync secrets file`, {
      cause: err,
      hint: 'restore it from a backup, or remove it and join the vault again',
    });
  }
}
