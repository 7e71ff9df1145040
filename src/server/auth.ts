/**
 * Bearer-token authentication and capability checks (docs/domain.md, "Trust tiers and device permissions"). The server
 * token from `progeny init` (a 0600 file) is the owner's and holds every capability; a device token (`progeny token
 * add`) maps to its device's capabilities, looked up through the device service's cache, which drops on any change of
 * the devices table, so a revocation takes effect on the next request in every server process.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { Capability, DeviceService } from '../core/devices/service.js';
import { ProgenyError } from '../core/errors.js';

export interface Principal {
  kind: 'owner' | 'device';
  id: string;
  name: string;
  capabilities: readonly Capability[];
}

export interface Authenticator {
  /** The principal for a raw token, or undefined when it is unknown or revoked. */
  resolve(token: string): Principal | undefined;
  /**
   * Reads the bearer token from the request: the Authorization header, or — only for the WebSocket upgrade, which
   * browsers cannot give headers (`query: true`) — `access_token` in the query string.
   */
  fromRequest(
    headers: Record<string, string | string[] | undefined>,
    url: string,
    opts?: { query?: boolean },
  ): Principal;
}

const queryToken = (url: string): string | undefined => {
  const q = url.indexOf('?');
  return q >= 0 ? (new URLSearchParams(url.slice(q + 1)).get('access_token') ?? undefined) : undefined;
};

export function tokenFrom(
  headers: Record<string, string | string[] | undefined>,
  url: string,
  opts: { query?: boolean } = {},
): string | undefined {
  const h = headers.authorization;
  const value = Array.isArray(h) ? h[0] : h;
  if (value) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(value);
    if (!m)
      throw new ProgenyError('UNAUTHENTICATED', 'the Authorization header must be "Bearer <token>"', {
        hint: 'see docs/api.md, "Authentication"',
      });
    return m[1];
  }
  return opts.query ? queryToken(url) : undefined;
}

/**
 * The URL as logged: the value of every query parameter that decodes to `access_token` (`access%5Ftoken`,
 * `ACCESS_TOKEN`… — whatever a client sends) replaced by [redacted], the rest verbatim.
 */
export function redactTokens(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const pairs = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const rawKey = eq < 0 ? pair : pair.slice(0, eq);
      let key = rawKey;
      try {
        key = decodeURIComponent(rawKey.replace(/\+/g, ' '));
      } catch {
        // A malformed escape: compare the raw key.
      }
      return key.trim().toLowerCase() === 'access_token' ? `${rawKey}=[redacted]` : pair;
    });
  return `${url.slice(0, q + 1)}${pairs.join('&')}`;
}

export function createAuthenticator(ownerToken: string, devices: DeviceService): Authenticator {
  const ownerBytes = Buffer.from(ownerToken);
  const owner: Principal = { kind: 'owner', id: 'owner', name: 'server token', capabilities: ['admin'] };
  const resolve = (token: string): Principal | undefined => {
    // Constant-time for tokens of the owner's length (the length itself is no secret: every token is 43 characters).
    const bytes = Buffer.from(token);
    if (bytes.length === ownerBytes.length && timingSafeEqual(bytes, ownerBytes)) return owner;
    const d = devices.authenticate(token);
    return d ? { kind: 'device', id: d.id, name: d.name, capabilities: d.capabilities } : undefined;
  };
  return {
    resolve,
    fromRequest(headers, url, opts = {}) {
      const token = tokenFrom(headers, url, opts);
      if (!token) {
        throw new ProgenyError('UNAUTHENTICATED', 'this route needs a bearer token', {
          hint:
            !opts.query && queryToken(url) !== undefined
              ? '?access_token= is accepted only on the WebSocket upgrade; send "Authorization: Bearer <token>"'
              : 'send "Authorization: Bearer <token>"; the server token is in <home>/secrets/server.token, device tokens come from `progeny token add`',
        });
      }
      const p = resolve(token);
      if (!p)
        throw new ProgenyError('INVALID_TOKEN', 'the token is unknown or was revoked', {
          hint: 'check the token, or create one with `progeny token add <name> --caps …`',
        });
      return p;
    },
  };
}

export const hasCapability = (p: Principal, cap: Capability): boolean =>
  p.capabilities.includes(cap) || p.capabilities.includes('admin');

export function requireCapability(p: Principal, cap: Capability): void {
  if (hasCapability(p, cap)) return;
  throw new ProgenyError('FORBIDDEN', `token "${p.name}" lacks the ${cap} capability`, {
    hint: `grant it with \`progeny token caps ${p.id} …,${cap}\` or use a token that has it`,
  });
}

export function principalOf(req: FastifyRequest): Principal {
  const p = req.principal;
  if (!p)
    throw new ProgenyError('UNAUTHENTICATED', 'this route needs a bearer token', {
      hint: 'send "Authorization: Bearer <token>"',
    });
  return p;
}
