/**
 * The snapshot's wire format (docs/sync.md, "Snapshots"): base64 of the JSON `{header, nonce, box, sig}`, where
 * `header` is the base64 JSON SnapshotHeader, `box` the secretbox of the deflated changes under the epoch key, and
 * `sig` the author's Ed25519 signature over `progeny/snapshot\0 ‖ header bytes ‖ hex SHA-256 of box`. Devices and the
 * relay (which checks the author before it deletes the batches a snapshot replaces) parse it with the same code.
 */
import { fromB64, sha256hex, signBytes, toB64, verifyBytes } from './crypto.js';

export interface SnapshotHeader {
  v: 1;
  /** Bytes of the inflated body; absent in a snapshot from an older writer. */
  bytes?: number;
  vaultId: string;
  deviceId: string;
  seq: number;
  keyEpoch: number;
  positions: Record<string, { seq: number; hash: string }>;
}

export interface ParsedSnapshot {
  header: SnapshotHeader;
  /** The header's bytes as signed. */
  headerBytes: Buffer;
  nonce: Uint8Array;
  box: Buffer;
  sig: Uint8Array;
}

const signedBytes = (headerBytes: Buffer, box: Buffer): Buffer =>
  Buffer.concat([Buffer.from('progeny/snapshot\0'), headerBytes, Buffer.from(sha256hex(box))]);

/** The stored form of a sealed snapshot. */
export function encodeSnapshot(header: SnapshotHeader, nonce: Uint8Array, box: Buffer, signSk: Uint8Array): Buffer {
  const hb = Buffer.from(JSON.stringify(header));
  const sig = signBytes(signedBytes(hb, box), signSk);
  const json = { header: hb.toString('base64'), nonce: toB64(nonce), box: box.toString('base64'), sig: toB64(sig) };
  return Buffer.from(JSON.stringify(json));
}

/** Parses a stored snapshot; throws an Error saying what is wrong. */
export function parseSnapshot(data: Buffer): ParsedSnapshot {
  let j: Record<string, unknown>;
  try {
    j = JSON.parse(data.toString('utf8')) as Record<string, unknown>;
  } catch {
    throw new Error('the snapshot is not readable');
  }
  const headerBytes = Buffer.from(String(j.header), 'base64');
  let header: SnapshotHeader;
  try {
    header = JSON.parse(headerBytes.toString('utf8')) as SnapshotHeader;
  } catch {
    throw new Error('the snapshot header is not readable');
  }
  if (
    !header ||
    typeof header.deviceId !== 'string' ||
    !Number.isInteger(header.seq) ||
    !header.positions ||
    (header.bytes !== undefined && !(Number.isSafeInteger(header.bytes) && header.bytes > 0))
  )
    throw new Error('the snapshot header is malformed');
  try {
    return {
      header,
      headerBytes,
      nonce: fromB64(j.nonce, 24),
      box: Buffer.from(String(j.box), 'base64'),
      sig: fromB64(j.sig),
    };
  } catch {
    throw new Error('the snapshot is malformed');
  }
}

export const snapshotSignedBy = (p: ParsedSnapshot, signPk: Uint8Array): boolean =>
  verifyBytes(signedBytes(p.headerBytes, p.box), p.sig, signPk);
