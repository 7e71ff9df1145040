/**
 * Passphrase → key-encryption key (docs/sync.md, "Keys"). New wraps use Argon2id (v1.3, @node-rs/argon2's prebuilt
 * binary); vaults wrapped with scrypt before issue 12 keep opening with their stored parameters, and
 * `progeny sync passphrase` re-wraps them with Argon2id. The name and parameters travel with the vault; a client
 * refuses parameters below its floor (a downgrade) or above its ceiling (a relay making it allocate gigabytes).
 */
import { scrypt } from 'node:crypto';
import type { Algorithm } from '@node-rs/argon2';
import nacl from 'tweetnacl';
import { ProgenyError } from '../errors.js';

export interface ScryptParams {
  name: 'scrypt';
  /** CPU/memory cost, a power of two. */
  N: number;
  r: number;
  p: number;
  /** base64 salt. */
  salt: string;
}

export interface Argon2idParams {
  name: 'argon2id';
  /** Memory in KiB. */
  m: number;
  /** Passes over memory. */
  t: number;
  /** Lanes. */
  p: number;
  /** base64 salt. */
  salt: string;
}

export type KdfParams = ScryptParams | Argon2idParams;
export type KdfCost = Omit<ScryptParams, 'salt'> | Omit<Argon2idParams, 'salt'>;

/** New vaults and passphrase changes: 64 MiB, 3 passes (RFC 9106's second recommended option, one lane). */
export const KDF_DEFAULT: KdfCost = { name: 'argon2id', m: 64 * 1024, t: 3, p: 1 };
/**
 * The weakest parameters a client accepts: Argon2id at OWASP's minimum (19 MiB, 2 passes); scrypt at the floor the
 * scrypt vaults made before Argon2id were held to (their default was N = 2^15).
 */
export const KDF_FLOOR = { argon2id: { m: 19 * 1024, t: 2, p: 1 }, scrypt: { N: 1 << 14, r: 8, p: 1 } } as const;
const KDF_CEILING = { argon2id: { m: 1024 * 1024, t: 16, p: 8 }, scrypt: { N: 1 << 22, r: 32, p: 16 } } as const;

const ARGON2ID = 2 as Algorithm;

export function newKdfParams(cost: KdfCost = KDF_DEFAULT): KdfParams {
  const salt = Buffer.from(nacl.randomBytes(16)).toString('base64');
  return { ...cost, salt } as KdfParams;
}

const within = (v: unknown, lo: number, hi: number): boolean =>
  typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi;

function paramsOk(p: KdfParams): boolean {
  if (!p || typeof p !== 'object' || typeof p.salt !== 'string' || Buffer.from(p.salt, 'base64').length < 16)
    return false;
  if (p.name === 'argon2id') {
    const lo = KDF_FLOOR.argon2id;
    const hi = KDF_CEILING.argon2id;
    return within(p.m, lo.m, hi.m) && within(p.t, lo.t, hi.t) && within(p.p, lo.p, hi.p) && p.m >= 8 * p.p;
  }
  if (p.name === 'scrypt') {
    const lo = KDF_FLOOR.scrypt;
    const hi = KDF_CEILING.scrypt;
    return within(p.N, lo.N, hi.N) && (p.N & (p.N - 1)) === 0 && within(p.r, lo.r, hi.r) && within(p.p, lo.p, hi.p);
  }
  return false;
}

export function checkKdfParams(p: KdfParams): void {
  if (!paramsOk(p)) {
    throw new ProgenyError(
      'SYNC_KDF_DOWNGRADE',
      'the vault asks for key-derivation parameters outside this client’s limits',
      { hint: 'the relay may be tampering with the vault; do not enter your passphrase against it' },
    );
  }
}

/** Whether params are weaker than the current default (the vault would gain from `progeny sync passphrase`). */
export const kdfOutdated = (p: KdfParams): boolean =>
  p.name !== KDF_DEFAULT.name || (p.name === 'argon2id' && p.m * p.t < KDF_DEFAULT.m * KDF_DEFAULT.t);

/** Passphrase → 32-byte key-encryption key (off the main thread: both KDFs run on libuv's pool). */
export async function deriveKek(passphrase: string, params: KdfParams): Promise<Uint8Array> {
  checkKdfParams(params);
  const secret = passphrase.normalize('NFKC');
  const salt = Buffer.from(params.salt, 'base64');
  if (params.name === 'argon2id') {
    const { hashRaw } = await import('@node-rs/argon2');
    const key = await hashRaw(secret, {
      algorithm: ARGON2ID,
      memoryCost: params.m,
      timeCost: params.t,
      parallelism: params.p,
      outputLen: 32,
      salt,
    });
    return new Uint8Array(key);
  }
  const { N, r, p } = params;
  const maxmem = 128 * N * r * 2 + 1024 * 1024;
  return new Promise((resolve, reject) => {
    scrypt(secret, salt, 32, { N, r, p, maxmem }, (err, key) => (err ? reject(err) : resolve(new Uint8Array(key))));
  });
}
