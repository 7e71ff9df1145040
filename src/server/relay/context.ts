/**
 * What every relay route module receives, the per-route relay settings read by the plugin's hooks, and the schema
 * pieces the routes share (docs/api.md, "Sync relay").
 */
import type { FastifyInstance } from 'fastify';
import type { RateLimit, RateLimiter } from '../rate-limit.js';
import type { RelayDevice, RelayStore } from './store.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * Set on routes that need a signed request from a device of the vault in the `:v` parameter: whether a pending
     * device may call it, and the capability an active device needs (admin holds every capability).
     */
    relayAuth?: { allowPending?: boolean; cap?: 'admin' | 'sync:push' };
  }
  interface FastifyRequest {
    /** The body exactly as received: request signatures cover its bytes. */
    rawBody?: Buffer;
    /** The device that signed this request (routes with relayAuth). */
    relayDevice?: RelayDevice;
    /** The body hash the verified signature covers; the body parser checks the body against it. */
    signedBodyHash?: string;
  }
}

/** What the relay lets strangers and devices cost it (config `relay.*`, docs/api.md, "Sync relay"). */
export interface RelayLimits {
  /** Per address before authentication, and again per device after it; false: none. */
  rate: RateLimit | false;
  /** Vaults one address may create per 24 hours. */
  vaultsPerAddress: number;
  /** Bytes of batches and snapshot stored per vault. */
  vaultBytes: number;
  /** Largest snapshot upload (request body bytes). */
  snapshotBytes: number;
  /** Live pairing messages per address, and in all. */
  pairRowsPerAddress: number;
  pairRows: number;
}

export const DEFAULT_RELAY_LIMITS: RelayLimits = {
  rate: { perSecond: 20, burst: 200 },
  vaultsPerAddress: 10,
  vaultBytes: 512 * 1024 * 1024,
  snapshotBytes: 256 * 1024 * 1024,
  pairRowsPerAddress: 64,
  pairRows: 4096,
};

export interface RelayContext {
  store: RelayStore;
  now: () => number;
  limits: RelayLimits;
  byAddress: RateLimiter | null;
  byDevice: RateLimiter | null;
}

/** Body limits of the relay's routes, sized to what real clients send (the snapshot's is `relay.snapshotLimit`). */
export const BODY_LIMITS = {
  /** Default: join requests, device operations, cursors. */
  small: 16 * 1024,
  /** Vault creation and parameters: KDF parameters, the wrapped root key, the genesis entry (≈ 1 KiB in practice). */
  vault: 64 * 1024,
  /** A keyring: the epoch key boxed to each device (≈ 100 bytes a device). */
  keys: 256 * 1024,
  /** A push: ≤ 1 MiB of envelopes, base64 in JSON. */
  push: Math.ceil((1024 * 1024 * 4) / 3) + 64 * 1024,
  /** A pairing message: ≤ 16 KiB payload in JSON. */
  pair: 32 * 1024,
} as const;

export type RelayRouteModule = (app: FastifyInstance, ctx: RelayContext) => void;

export const VAULT_ID_PATTERN = '^[A-Za-z0-9_-]{8,64}$';
export const vaultParams = {
  type: 'object',
  required: ['v'],
  properties: { v: { type: 'string', pattern: VAULT_ID_PATTERN } },
} as const;

/** The signed device of a route with relayAuth (the hook has replied 401/403 before the handler otherwise). */
export function deviceOf(req: { relayDevice?: RelayDevice }): RelayDevice {
  if (!req.relayDevice) throw new Error('relay route without relayAuth');
  return req.relayDevice;
}
