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
  /** Reads the bearer token from the request (header, or `access_token` in the query for WebSocket browsers). */
  fromRequest(headers: Record<string, string | string[] | undefined>, url: string): Principal;
}

export function tokenFrom(headers: Record<string, string | string[] | undefined>, url: string): string | undefined {
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
  const q = url.indexOf('?');
  if (q >= 0) return new URLSearchParams(url.slice(q + 1)).get('access_token') ?? undefined;
  return undefined;
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
    fromRequest(headers, url) {
      const token = tokenFrom(headers, url);
      if (!token) {
        throw new ProgenyError('UNAUTHENTICATED', 'this route needs a bearer token', {
          hint: 'send "Authorization: Bearer <token>"; the server token is in <home>/secrets/server.token, device tokens come from `progeny token add`',
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

export function requireCapability(p: Principal, cap: Capability): void {
  if (p.capabilities.includes(cap) || p.capabilities.includes('admin')) return;
  throw new ProgenyError('FORBIDDEN', `token "${p.name}" lacks the ${cap} capability`, {
    hint: `grant it with \`progeny token caps ${p.id} …, details: ${cap}\` or use a token that has it`,
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
