import { CONFIG_SCHEMA, type ConfigKey } from '../../core/config/schema.js';

/** Secrets (API keys) are never printed: only whether one is set. */
export function maskIfSecret(key: ConfigKey, value: unknown): unknown {
  const spec = CONFIG_SCHEMA[key];
  if ('secret' in spec && spec.secret && value) return '********';
  return value;
}
