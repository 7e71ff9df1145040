/**
 * Relay request signatures: every request names its device and time and is signed over method, path (with query),
 * time and the body's hash, so the relay needs no bearer secret and a captured request cannot be altered. The body's
 * hash also travels as a header, so the relay verifies the signature before it reads the body
 * (docs/api.md, "Sync relay"), then checks the body against the hash.
 */
import { sha256hex, signBytes, verifyBytes } from './crypto.js';

export const SIG_HEADERS = {
  device: 'x-progeny-device',
  time: 'x-progeny-time',
  sig: 'x-progeny-sig',
  bodyHash: 'x-progeny-content-sha256',
} as const;
/**
 * A signed request older or newer than this is refused (bounds replays of captured requests, which are harmless
 * anyway: pushes are idempotent and reads return ciphertext). Wider than the HLC drift limit, so a device whose
 * clock runs ahead can still push, and its batches are quarantined by the others rather than refused here.
 */
export const REQUEST_WINDOW_MS = 15 * 60_000;

/** What a device signs; `bodyHash` is the hex SHA-256 of the body (of nothing for a request without one). */
export function requestMessage(method: string, pathAndQuery: string, time: string, bodyHash: string): Uint8Array {
  return Buffer.from(`progeny/req\0${method.toUpperCase()}\n${pathAndQuery}\n${time}\n${bodyHash}`);
}

export function signRequest(
  deviceId: string,
  signSk: Uint8Array,
  method: string,
  pathAndQuery: string,
  body: Uint8Array | string,
  now: number,
): Record<string, string> {
  const time = String(now);
  const hash = sha256hex(body);
  const sig = Buffer.from(signBytes(requestMessage(method, pathAndQuery, time, hash), signSk)).toString('base64');
  return {
    [SIG_HEADERS.device]: deviceId,
    [SIG_HEADERS.time]: time,
    [SIG_HEADERS.sig]: sig,
    [SIG_HEADERS.bodyHash]: hash,
  };
}

/** Verifies a request signature given the body's hex SHA-256 (the caller checks the body against it). */
export function verifyRequest(
  signPk: Uint8Array,
  method: string,
  pathAndQuery: string,
  time: string,
  sig: string,
  bodyHash: string,
  now: number,
): boolean {
  const t = Number(time);
  if (!Number.isFinite(t) || Math.abs(now - t) > REQUEST_WINDOW_MS) return false;
  return verifyBytes(requestMessage(method, pathAndQuery, time, bodyHash), Buffer.from(sig, 'base64'), signPk);
}
