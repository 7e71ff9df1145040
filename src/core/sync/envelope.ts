/**
 * The batch envelope (docs/sync.md, "Batches and the envelope"):
 *   "PGYE" ‖ u32 headerLen ‖ header JSON ‖ nonce(24) ‖ secretbox(plaintext) ‖ Ed25519 signature(64)
 * The signature covers every preceding byte. The plaintext is u32 payloadLen ‖ payload ‖ zero padding up to a PADMÉ
 * size, and the payload is u32 innerLen ‖ inner header JSON ‖ u8 flags ‖ body; the inner header must equal the outer
 * one (tweetnacl has no associated data). Bodies over 1 KiB are deflated; inflating is capped against bombs.
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import nacl from 'tweetnacl';
import { sha256hex, signBytes, verifyBytes } from './crypto.js';
import { ProgenyError } from '../errors.js';

export const ENVELOPE_VERSION = 1;
const MAGIC = Buffer.from('PGYE');
export const MAX_PLAINTEXT = 256 * 1024;
/** Decompression cap: a sealed batch never legitimately inflates past this. */
export const MAX_INFLATED = 4 * MAX_PLAINTEXT;
export const MAX_ENVELOPE = MAX_PLAINTEXT + 64 * 1024;
const FLAG_DEFLATE = 1;

export interface BatchHeader {
  v: number;
  vaultId: string;
  deviceId: string;
  deviceSeq: number;
  prevHash: string;
  keyEpoch: number;
  hlcMin: string;
  hlcMax: string;
}

const HEADER_KEYS = ['v', 'vaultId', 'deviceId', 'deviceSeq', 'prevHash', 'keyEpoch', 'hlcMin', 'hlcMax'] as const;

/** PADMÉ: pads to a size that leaks at most O(log log n) bits of the length. */
export function padme(len: number): number {
  if (len <= 2) return len;
  const e = Math.floor(Math.log2(len));
  const s = Math.floor(Math.log2(e)) + 1;
  const lastBits = e - s;
  const mask = 2 ** lastBits - 1;
  return Math.floor((len + mask) / 2 ** lastBits) * 2 ** lastBits;
}

const canonicalHeader = (h: BatchHeader): string =>
  JSON.stringify(Object.fromEntries(HEADER_KEYS.map((k) => [k, h[k]])));

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

export function sealEnvelope(header: BatchHeader, body: Uint8Array, dk: Uint8Array, signSk: Uint8Array): Uint8Array {
  const h = Buffer.from(canonicalHeader(header));
  const compress = body.length > 1024;
  const content = compress ? deflateRawSync(body) : Buffer.from(body);
  const payload = Buffer.concat([u32(h.length), h, Buffer.from([compress ? FLAG_DEFLATE : 0]), content]);
  const plain = Buffer.alloc(padme(4 + payload.length));
  plain.writeUInt32BE(payload.length);
  payload.copy(plain, 4);
  const nonce = nacl.randomBytes(24);
  const box = nacl.secretbox(plain, nonce, dk);
  const unsigned = Buffer.concat([MAGIC, u32(h.length), h, nonce, box]);
  return Buffer.concat([unsigned, signBytes(unsigned, signSk)]);
}

const bad = (why: string): Error => new ProgenyError('SYNC_BAD_ENVELOPE', `rejected a sync batch: ${why}`);

/** Reads the outer header without verifying anything (the relay and the client verify separately). */
export function parseEnvelope(env: Uint8Array): {
  header: BatchHeader;
  unsigned: Uint8Array;
  sig: Uint8Array;
  box: Uint8Array;
  nonce: Uint8Array;
} {
  const b = Buffer.from(env.buffer, env.byteOffset, env.byteLength);
  if (b.length < 8 + 24 + nacl.secretbox.overheadLength + 64 || b.length > MAX_ENVELOPE) throw bad('wrong size');
  if (!b.subarray(0, 4).equals(MAGIC)) throw bad('not an envelope');
  const hl = b.readUInt32BE(4);
  if (hl > 4096 || 8 + hl + 24 + 64 > b.length) throw bad('bad header length');
  const header = parseHeader(b.subarray(8, 8 + hl).toString('utf8'));
  const unsigned = b.subarray(0, b.length - 64);
  return {
    header,
    unsigned,
    sig: b.subarray(b.length - 64),
    nonce: b.subarray(8 + hl, 8 + hl + 24),
    box: b.subarray(8 + hl + 24, b.length - 64),
  };
}

function parseHeader(text: string): BatchHeader {
  let h: unknown;
  try {
    h = JSON.parse(text);
  } catch {
    throw bad('header is not JSON');
  }
  const o = h as Record<string, unknown>;
  const ok =
    o &&
    typeof o === 'object' &&
    Number.isInteger(o.v) &&
    typeof o.vaultId === 'string' &&
    typeof o.deviceId === 'string' &&
    Number.isInteger(o.deviceSeq) &&
    (o.deviceSeq as number) >= 1 &&
    typeof o.prevHash === 'string' &&
    Number.isInteger(o.keyEpoch) &&
    typeof o.hlcMin === 'string' &&
    typeof o.hlcMax === 'string';
  if (!ok) throw bad('malformed header');
  return o as unknown as BatchHeader;
}

export const envelopeHash = (env: Uint8Array): string => sha256hex(env);

export function verifyEnvelope(env: Uint8Array, signPk: Uint8Array): BatchHeader {
  const p = parseEnvelope(env);
  if (!verifyBytes(p.unsigned, p.sig, signPk)) throw bad('bad signature');
  return p.header;
}

/** Verifies, decrypts, checks the inner header against the outer one and returns the body. */
export function openEnvelope(
  env: Uint8Array,
  signPk: Uint8Array,
  dk: Uint8Array,
): { header: BatchHeader; body: Buffer } {
  const p = parseEnvelope(env);
  if (!verifyBytes(p.unsigned, p.sig, signPk)) throw bad('bad signature');
  const plain = nacl.secretbox.open(p.box, p.nonce, dk);
  if (!plain) throw bad('decryption failed');
  const pb = Buffer.from(plain.buffer, plain.byteOffset, plain.byteLength);
  const len = pb.readUInt32BE(0);
  if (len + 4 > pb.length || len < 5) throw bad('bad padding');
  const payload = pb.subarray(4, 4 + len);
  const hl = payload.readUInt32BE(0);
  if (4 + hl + 1 > payload.length) throw bad('bad inner header');
  const inner = payload.subarray(4, 4 + hl).toString('utf8');
  if (inner !== canonicalHeader(p.header)) throw bad('inner header differs from the outer one');
  const flags = payload[4 + hl] as number;
  const content = payload.subarray(5 + hl);
  if (flags & ~FLAG_DEFLATE) throw bad('unknown flags');
  let body: Buffer;
  try {
    body = flags & FLAG_DEFLATE ? inflateRawSync(content, { maxOutputLength: MAX_INFLATED }) : content;
  } catch {
    throw bad('decompression failed or exceeded the cap');
  }
  return { header: p.header, body };
}
