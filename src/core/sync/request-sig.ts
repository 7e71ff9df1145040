/**
 * Relay request signatures: every request names its device and time and is signed over method, path (with query),
 * time and the body's hash, so the relay needs no bearer secret and a captured request cannot be altered.
 */
import { sha256hex, signBytes, verifyBytes } from './crypto.js';

export const SIG_HEADERS = { device: 'x-progeny-device', time: 'x-progeny-time', sig: 'x-progeny-sig' } as const;
/**
 * A signed request older or newer than this is refused (bounds replays of captured requests, which are harmless
 * anyway: pushes are idempotent and reads return ciphertext). Wider than the HLC drift limit, so a device whose
 * clock runs ahead can still push, and its batches are quarantined by the others rather than refused here.
 */
export const REQUEST_WINDOW_MS = 15 * 60_000;

export function requestMessage(
  method: string,
  pathAndQuery: string,
  time: string,
  body: Uint8Array | string,
): Uint8Array {
  return Buffer.from(`progeny/req\0${method.toUpperCase()}\n${pathAndQuery}\n${time}\n${sha256hex(body)}`);
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
  const sig = Buffer.from(signBytes(requestMessage(method, pathAndQuery, time, body), signSk)).toString('base64');
  return { [SIG_HEADERS.device]: deviceId, [SIG_HEADERS.time]: time, [SIG_HEADERS.sig]: sig };
}

export function verifyRequest(
  signPk: Uint8Array,
  method: string,
  pathAndQuery: string,
  time: string,
  sig: string,
  body: Uint8Array | string,
  now: number,
): boolean {
  const t = Number(time);
  if (!Number.isFinite(t) || Math.abs(now - t) > REQUEST_WINDOW_MS) return false;
  return verifyBytes(requestMessage(method, pathAndQuery, time, body), Buffer.from(sig, 'base64'), signPk);
}
