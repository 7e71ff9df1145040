/**
 * Devices and their capabilities as the engine's API shows them (docs/domain.md, "Trust tiers and device
 * permissions"); service.ts stores them.
 */

export const CAPABILITIES = [
  'chat',
  'memory:read',
  'memory:write',
  'state:write',
  'sync:push',
  'sync:pull',
  'admin',
] as const;

export type Capability = (typeof CAPABILITIES)[number];

export interface Device {
  id: string;
  name: string;
  capabilities: Capability[];
  isSelf: boolean;
  createdAt: number;
  revokedAt: number | null;
}

export interface DeviceService {
  list(opts?: { includeRevoked?: boolean }): Device[];
  get(id: string): Device;
  self(): Device | undefined;
  /** Creates this home's own device (all capabilities) if missing. */
  ensureSelf(name: string): Device;
  /** Adds a device and returns its API token, shown once. */
  add(name: string, capabilities: Capability[]): { device: Device; token: string };
  rename(id: string, name: string): Device;
  setCapabilities(id: string, capabilities: Capability[]): Device;
  revoke(id: string): Device;
  /** The device a bearer token belongs to, or undefined (unknown or revoked). */
  authenticate(token: string): Device | undefined;
  /** Throws FORBIDDEN (exit 7) unless the device holds the capability. */
  require(device: Device, cap: Capability): void;
  /** Creates (or replaces) the API token of a device, shown once. */
  issueToken(id: string): string;
  /** How many token lookups (hits and misses) are remembered right now; never more than TOKEN_CACHE_MAX. */
  cachedTokens(): number;
}
