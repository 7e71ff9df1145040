/**
 * Request-signature authentication for relay routes (they bypass the server's bearer hook: `config.auth = false`).
 * Routes declare `config.relayAuth`; the plugin's onRequest hook resolves the signing device of the vault in `:v` and
 * verifies its signature from the headers alone — the body's hash travels in X-Progeny-Content-SHA256 — so nothing
 * of the body is read before the request is authenticated; the body parser then checks the body against that hash.
 */
import type { FastifyRequest } from 'fastify';
import { sha256hex } from '../../core/sync/crypto.js';
import { SIG_HEADERS, verifyRequest } from '../../core/sync/request-sig.js';
import type { RelayContext } from './context.js';
import { ProgenyError } from '../../core/errors.js';
import type { RelayDevice } from './store.js';

const EMPTY_SHA256 = sha256hex('');
const HEX_SHA256 = /^[0-9a-f]{64}$/;

export const header = (req: FastifyRequest, name: string): string | undefined => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

/** Whether the request carries a body (announced by Content-Length or Transfer-Encoding). */
export function hasBody(req: FastifyRequest): boolean {
  const length = header(req, 'content-length');
  return (length !== undefined && length !== '0') || header(req, 'transfer-encoding') !== undefined;
}

function signatureOk(req: FastifyRequest, signPk: Uint8Array, bodyHash: string, now: number): boolean {
  const time = header(req, SIG_HEADERS.time);
  const sig = header(req, SIG_HEADERS.sig);
  if (!time || !sig) return false;
  return verifyRequest(signPk, req.method, req.url, time, sig, bodyHash, now);
}

/** After the body is read: verifies the request was signed with the given public key (routes without relayAuth). */
export function signedBy(req: FastifyRequest, signPk: Uint8Array, now: number): boolean {
  return signatureOk(req, signPk, sha256hex(req.rawBody ?? Buffer.alloc(0)), now);
}

/**
 * The registered device that signed this request, from its headers alone, or a ProgenyError (401/403). Pending devices
 * (joined with the passphrase, not yet approved) may call only routes that allow them; only active devices may write.
 */
export function authDevice(
  ctx: RelayContext,
  req: FastifyRequest,
  vault: string,
  opts: { allowPending?: boolean; cap?: string },
): RelayDevice {
  const id = header(req, SIG_HEADERS.device);
  const device = id && id.length <= 128 ? ctx.store.device(vault, id) : undefined;
  const bodyHash = hasBody(req) ? header(req, SIG_HEADERS.bodyHash) : EMPTY_SHA256;
  if (bodyHash === undefined || !HEX_SHA256.test(bodyHash))
    throw new ProgenyError('SYNC_UNAUTHORIZED', `a signed request with a body must send ${SIG_HEADERS.bodyHash}`);
  if (!device || !signatureOk(req, device.signPk, bodyHash, ctx.now()))
    throw new ProgenyError('SYNC_UNAUTHORIZED', 'the request is not signed by a device of this vault');
  if (device.status === 'revoked') throw new ProgenyError('SYNC_REVOKED', 'this device has been revoked');
  if (device.status === 'pending' && !opts.allowPending)
    throw new ProgenyError('SYNC_PENDING', 'this device is waiting for approval by an admin device');
  if (opts.cap && !(device.caps.includes(opts.cap) || device.caps.includes('admin')))
    throw new ProgenyError('SYNC_FORBIDDEN', `this device lacks the ${opts.cap} capability`);
  req.signedBodyHash = bodyHash;
  return device;
}
