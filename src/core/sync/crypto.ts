/**
 * The sync cryptography (docs/sync.md, "Keys"): secretbox wrapping of keys, Curve25519 boxes to devices and Ed25519
 * signatures (the passphrase KDF is in kdf.ts). tweetnacl does secretbox/box and key
 * generation; node:crypto signs and verifies (same standard signatures, far faster).
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  sign as edSign,
  verify as edVerify,
  type KeyObject,
} from 'node:crypto';
import nacl from 'tweetnacl';
import { ProgenyError } from '../errors.js';

export const randomKey = (): Uint8Array => nacl.randomBytes(32);

/** nonce ‖ secretbox(plain). */
export function seal(plain: Uint8Array, key: Uint8Array): Uint8Array {
  const nonce = nacl.randomBytes(24);
  const box = nacl.secretbox(plain, nonce, key);
  const out = new Uint8Array(24 + box.length);
  out.set(nonce);
  out.set(box, 24);
  return out;
}

export function open(sealed: Uint8Array, key: Uint8Array): Uint8Array | null {
  if (sealed.length < 24 + nacl.secretbox.overheadLength) return null;
  return nacl.secretbox.open(sealed.subarray(24), sealed.subarray(0, 24), key);
}

export interface DeviceKeys {
  signPk: Uint8Array;
  signSk: Uint8Array; // 64-byte tweetnacl secret key (seed ‖ pk)
  boxPk: Uint8Array;
  boxSk: Uint8Array;
}

export function newDeviceKeys(): DeviceKeys {
  const s = nacl.sign.keyPair();
  const b = nacl.box.keyPair();
  return { signPk: s.publicKey, signSk: s.secretKey, boxPk: b.publicKey, boxSk: b.secretKey };
}

/** A signing key pair derived from a seed (the vault's join key comes from the root key). */
export function signKeysFromSeed(seed: Uint8Array): { pk: Uint8Array; sk: Uint8Array } {
  const k = nacl.sign.keyPair.fromSeed(seed);
  return { pk: k.publicKey, sk: k.secretKey };
}

const b64u = (b: Uint8Array): string => Buffer.from(b).toString('base64url');
const privCache = new Map<string, KeyObject>();
const pubCache = new Map<string, KeyObject>();

function privateKey(sk: Uint8Array): KeyObject {
  const id = b64u(sk.subarray(32));
  let k = privCache.get(id);
  if (!k) {
    k = createPrivateKey({ key: { kty: 'OKP', crv: 'Ed25519', d: b64u(sk.subarray(0, 32)), x: id }, format: 'jwk' });
    privCache.set(id, k);
  }
  return k;
}

function publicKey(pk: Uint8Array): KeyObject | null {
  if (pk.length !== 32) return null;
  const id = b64u(pk);
  let k = pubCache.get(id);
  if (!k) {
    try {
      k = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: id }, format: 'jwk' });
    } catch {
      return null;
    }
    if (pubCache.size > 1000) pubCache.clear();
    pubCache.set(id, k);
  }
  return k;
}

export function signBytes(msg: Uint8Array, sk: Uint8Array): Uint8Array {
  return new Uint8Array(edSign(null, msg, privateKey(sk)));
}

export function verifyBytes(msg: Uint8Array, sig: Uint8Array, pk: Uint8Array): boolean {
  const key = publicKey(pk);
  if (!key || sig.length !== 64) return false;
  try {
    return edVerify(null, msg, key, sig);
  } catch {
    return false;
  }
}

/** box(plain) from one device to another: nonce ‖ ciphertext. */
export function boxTo(plain: Uint8Array, theirBoxPk: Uint8Array, myBoxSk: Uint8Array): Uint8Array {
  const nonce = nacl.randomBytes(24);
  const c = nacl.box(plain, nonce, theirBoxPk, myBoxSk);
  const out = new Uint8Array(24 + c.length);
  out.set(nonce);
  out.set(c, 24);
  return out;
}

export function openBox(sealed: Uint8Array, theirBoxPk: Uint8Array, myBoxSk: Uint8Array): Uint8Array | null {
  if (sealed.length < 24 + nacl.box.overheadLength) return null;
  return nacl.box.open(sealed.subarray(24), sealed.subarray(0, 24), theirBoxPk, myBoxSk);
}

export const sha256 = (data: Uint8Array | string): Buffer => createHash('sha256').update(data).digest();
export const sha256hex = (data: Uint8Array | string): string => createHash('sha256').update(data).digest('hex');

/** Domain-separated subkey of a root key. */
export const subkey = (root: Uint8Array, label: string): Uint8Array =>
  new Uint8Array(sha256(Buffer.concat([Buffer.from(`progeny/${label}\0`), root])));

export const toB64 = (b: Uint8Array): string => Buffer.from(b).toString('base64');
export function fromB64(s: unknown, len?: number): Uint8Array {
  if (typeof s !== 'string') throw new ProgenyError('SYNC_BAD_DATA', 'expected base64 data');
  const b = new Uint8Array(Buffer.from(s, 'base64'));
  if (len !== undefined && b.length !== len)
    throw new ProgenyError('SYNC_BAD_DATA', `expected ${len} bytes of key material`);
  return b;
}

/** The short authentication string both screens show while pairing: 6 digits from both public keys. */
export function shortAuthString(a: Uint8Array, b: Uint8Array, secret: Uint8Array): string {
  const h = sha256(Buffer.concat([Buffer.from('progeny/sas\0'), a, b, secret]));
  return String(h.readUInt32BE(0) % 1_000_000).padStart(6, '0');
}
