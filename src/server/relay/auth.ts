/**
 * Request-signature authentication for relay routes (they bypass the server's bearer hook: `config.auth = false`).
 * Routes declare `config.relayAuth`; the plugin's hook resolves the signing device of the vault in `:v` and refuses
 * the request before the handler runs.
 */
import type { FastifyRequest } from 'fastify';
import { SIG_HEADERS, verifyRequest } from '../../core/sync/request-sig.js';
import type { RelayContext } from './context.js';
import { ProgenyError } from '../../core/errors.js';
import type { RelayDevice } from './store.js';

export const header = (req: FastifyRequest, name: string): string | undefined => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

/** Verifies the request was signed with the given public key. */
export function signedBy(req: FastifyRequest, signPk: Uint8Array, now: number): boolean {
  const time = header(req, SIG_HEADERS.time);
  const sig = header(req, SIG_HEADERS.sig);
  if (!time || !sig) return false;
  return verifyRequest(signPk, req.method, req.url, time, sig, req.rawBody ?? Buffer.alloc(0), now);
}

/**
 * The registered device that signed this request, or a ProgenyError (401/403). Pending devices (joined with the
 * passphrase, not yet approved) may call only routes that allow them; only active devices may write.
 */
export function authDevice(
  ctx: RelayContext,
  req: FastifyRequest,
  vault: string,
  opts: { allowPending?: boolean; cap?: string },
): RelayDevice {
  const id = header(req, SIG_HEADERS.device);
  const device = id ? ctx.store.device(vault, id) : undefined;
  if (!device || !signedBy(req, device.signPk, ctx.now()))
    throw new ProgenyError('SYNC_UNAUTHORIZED', 'the request is not signed by a device of this vault');
  if (device.status === 'revoked') throw new ProgenyError('SYNC_REVOKED', 'this device has been revoked');
  if (device.status === 'pending' && !opts.allowPending)
    throw new ProgenyError('SYNC_PENDING', 'this device is waiting for approval by an admin device');
  if (opts.cap && !(device.caps.includes(opts.cap) || device.caps.includes('admin')))
    throw new ProgenyError('SYNC_FORBIDDEN', `this device lacks the ${opts.cap} capability`);
  return device;
}
