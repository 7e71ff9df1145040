/**
 * What every relay route module receives, the per-route relay settings read by the plugin's hooks, and the schema
 * pieces the routes share (docs/api.md, "Sync relay").
 */
import type { FastifyInstance } from 'fastify';
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
  }
}

export interface RelayContext {
  store: RelayStore;
  now: () => number;
}

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
