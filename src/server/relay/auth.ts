/** Request-signature authentication for relay routes (they bypass the server's bearer hook: `config.auth = false`). */
import type { FastifyRequest } from 'fastify';
import { ProgenyError } from '../../core/errors.js';
import { SIG_HEADERS, verifyRequest } from '../../core/sync/request-sig.js';
import type { RelayDevice, RelayStore } from './store.js';

export interface RelayRequest extends FastifyRequest {
  rawBody?: Buffer;
}

export const header = (req: FastifyRequest, name: string): string | undefined => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

/** Verifies the request was signed with the given public key. */
export function signedBy(req: RelayRequest, signPk: Uint8Array, now: number): boolean {
  const time = header(req, SIG_HEADERS.time);
  const sig = header(req, SIG_HEADERS.sig);
  if (!time || !sig) return false;
  return verifyRequest(signPk, req.method, req.url, time, sig, req.rawBody ?? Buffer.alloc(0), now);
}

/**
 * The registered device that signed this request; throws SYNC_UNAUTHORIZED (401) or a 403 code otherwise. Pending devices (joined with
 * the passphrase, not yet approved) may read; only active devices may write.
 */
export function authDevice(
  store: RelayStore,
  req: RelayRequest,
  vault: string,
  now: number,
  opts: { allowPending?: boolean; cap?: string } = {},
): RelayDevice {
  const id = header(req, SIG_HEADERS.device);
  const device = id ? store.device(vault, id) : undefined;
  if (!device || !signedBy(req, device.signPk, now))
    throw new ProgenyError('SYNC_UNAUTHORIZED', 'the request is not signed by a device of this vault');
  if (device.status === 'revoked') throw new ProgenyError('SYNC_REVOKED', 'this device has been revoked');
  if (device.status === 'pending' && !opts.allowPending)
    throw new ProgenyError('SYNC_PENDING', 'this device is waiting for approval by an admin device');
  if (opts.cap && !(device.caps.includes(opts.cap) || device.caps.includes('admin')))
    throw new ProgenyError('SYNC_FORBIDDEN', `this device lacks the ${opts.cap} capability`);
  return device;
}
