/**
 * Device names are sealed before they reach the relay (docs/sync.md, "What the relay sees"): in the signed device log,
 * in join requests and in pairing messages a name is `nb1:` + base64(nonce ‖ secretbox(padded name)). The log's key
 * is derived from the vault's genesis join seed, which every device and every passphrase holder has (a joining device
 * seals its own name); a pairing message's from the pairing secret, which the relay never sees. Names are padded to a
 * multiple of 32 bytes, so the relay learns at most their length class. Entries written before names were sealed keep
 * their plain names (a signed log is never rewritten); they are read as they are.
 */
import { fromB64, open, seal, subkey, toB64 } from './crypto.js';

const PREFIX = 'nb1:';
const BLOCK = 32;
/** Longer names are cut (in whole characters) before sealing. */
const MAX_NAME_BYTES = 254;
/** What a device shows for a name it cannot open (no key yet, or damaged). */
export const SEALED_NAME = '(sealed name)';

export const logNameKey = (joinSeed: Uint8Array): Uint8Array => subkey(joinSeed, 'device-name');
export const pairNameKey = (secret: Uint8Array): Uint8Array => subkey(secret, 'pair-name');

function clip(name: string): Buffer {
  let out = '';
  for (const ch of name) {
    if (Buffer.byteLength(out + ch) > MAX_NAME_BYTES) break;
    out += ch;
  }
  return Buffer.from(out);
}

export function sealName(name: string, key: Uint8Array): string {
  const bytes = clip(name);
  const padded = Buffer.alloc(Math.ceil((bytes.length + 1) / BLOCK) * BLOCK);
  padded[0] = bytes.length;
  bytes.copy(padded, 1);
  return PREFIX + toB64(seal(padded, key));
}

/** A name for the device log, sealed with the vault's name key ('' on a device set up before it had the join seed). */
export const sealLogName = (name: string, joinSeed: Uint8Array | undefined): string =>
  joinSeed ? sealName(name, logNameKey(joinSeed)) : '';

export const isSealedName = (field: string): boolean => field.startsWith(PREFIX);

/** A name field copied into a new log entry: kept if sealed, sealed if it was written before names were. */
export const logNameOf = (field: string, joinSeed: Uint8Array | undefined): string =>
  isSealedName(field) ? field : sealLogName(field, joinSeed);

/** The name a field holds: opened if sealed (SEALED_NAME without the key), as it is if written before sealing. */
export function openName(field: unknown, key: Uint8Array | undefined): string {
  if (typeof field !== 'string') return '';
  if (!isSealedName(field)) return field;
  let plain: Uint8Array | null = null;
  try {
    plain = key ? open(fromB64(field.slice(PREFIX.length)), key) : null;
  } catch {
    plain = null;
  }
  if (!plain || plain.length === 0 || (plain[0] as number) >= plain.length) return SEALED_NAME;
  return Buffer.from(plain.subarray(1, 1 + (plain[0] as number))).toString('utf8');
}
