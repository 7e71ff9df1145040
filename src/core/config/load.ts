/**
 * Configuration: defaults ← file ← env (PROGENY_*) ← flags, merged by one pure function and validated against the
 * schema. The file is nested JSON ({"llm": {"model": "…"}}), written atomically with mode 0600 because it may hold
 * API keys.
 */
import { existsSync, readFileSync } from 'node:fs';
import { configError, usageError } from '../errors.js';
import { writeFileAtomic } from '../fs-atomic.js';
import { CONFIG_KEYS, CONFIG_SCHEMA, envVarFor, type Config, type ConfigKey } from './schema.js';
import { act } from '../hints.js';

export type ConfigSource = 'default' | 'file' | 'env' | 'flag';
export type PartialConfig = Partial<Record<ConfigKey, string | number | boolean>>;

export interface ResolvedConfig {
  config: Config;
  sources: Record<ConfigKey, ConfigSource>;
}

export function isConfigKey(key: string): key is ConfigKey {
  return Object.hasOwn(CONFIG_SCHEMA, key);
}

function unknownKey(key: string, where: string): never {
  const near = CONFIG_KEYS.filter((k) => k.split('.').at(-1) === key.split('.').at(-1));
  throw configError(
    `unknown config key "${key}" in ${where}`,
    near.length ? `did you mean ${near.join(', ')}?` : { text: 'see every key', actions: [act('config.list')] },
  );
}

/**
 * Parses a raw value for one key. Text sources (env vars, flags, `config set`) may spell numbers and booleans as
 * strings; a JSON file must use the JSON type. `where` names the file or variable it came from: a configuration
 * error (exit 3). Without it the value was typed in `progeny config set`: a usage error (exit 2) saying what to type.
 */
export function coerceValue(key: ConfigKey, raw: unknown, where?: string, fromText = true): string | number | boolean {
  const spec = CONFIG_SCHEMA[key];
  const bad = (why: string): never => {
    if (where) throw configError(`invalid value for ${key} in ${where}: ${why}`, `${key}: ${spec.doc}`);
    throw usageError(`${key} ${why.replace(/^expected /, 'must be ')}`, {
      text: `${key}: ${spec.doc}`,
      actions: [act('config.set', { key, value: JSON.stringify(spec.default).replace(/^"(.*)"$/, '$1') || '…' })],
    });
  };
  switch (spec.kind) {
    case 'boolean': {
      if (typeof raw === 'boolean') return raw;
      if (!fromText) return bad(`expected true or false, got ${JSON.stringify(raw)}`);
      if (raw === 'true' || raw === '1') return true;
      if (raw === 'false' || raw === '0') return false;
      return bad(`expected true or false, got ${JSON.stringify(raw)}`);
    }
    case 'number':
    case 'integer': {
      const n =
        typeof raw === 'number' ? raw : fromText && typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
      if (!Number.isFinite(n))
        return bad(`expected ${spec.kind === 'integer' ? 'a whole number' : 'a number'}, got ${JSON.stringify(raw)}`);
      if (spec.kind === 'integer' && !Number.isInteger(n)) return bad(`expected a whole number, got ${n}`);
      if ('min' in spec && spec.min !== undefined && n < spec.min)
        return bad(`expected a number ≥ ${spec.min}, got ${n}`);
      if ('max' in spec && spec.max !== undefined && n > spec.max)
        return bad(`expected a number ≤ ${spec.max}, got ${n}`);
      return n;
    }
    case 'enum': {
      const values = 'values' in spec ? (spec.values ?? []) : [];
      if (typeof raw !== 'string' || !values.includes(raw))
        return bad(`expected one of ${values.join(', ')}, got ${JSON.stringify(raw)}`);
      return raw;
    }
    default:
      if (typeof raw !== 'string') return bad(`expected a string, got ${JSON.stringify(raw)}`);
      return raw;
  }
}

function flatten(obj: unknown, prefix: string, out: Map<string, unknown>, where: string): void {
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
    throw configError(`${where} must hold a JSON object`, 'fix the file, or delete it to use the defaults');
  }
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'object' && v !== null && !Array.isArray(v) && !isConfigKey(key)) flatten(v, key, out, where);
    else out.set(key, v);
  }
}

/** Reads the config file into validated flat values; a missing file is empty, a corrupt one is an error. */
export function readConfigFile(path: string): PartialConfig {
  if (!existsSync(path)) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw configError(
      `config file ${path} is not valid JSON (${(err as Error).message})`,
      'fix the file by hand, or move it aside to start from the defaults; nothing was changed',
    );
  }
  const flat = new Map<string, unknown>();
  flatten(parsed, '', flat, path);
  const out: PartialConfig = {};
  for (const [key, value] of flat) {
    if (!isConfigKey(key)) unknownKey(key, path);
    out[key] = coerceValue(key, value, path, false);
  }
  return out;
}

export function readConfigEnv(env: NodeJS.ProcessEnv): PartialConfig {
  const out: PartialConfig = {};
  for (const key of CONFIG_KEYS) {
    const raw = env[envVarFor(key)];
    if (raw !== undefined && raw !== '') out[key] = coerceValue(key, raw, `$${envVarFor(key)}`);
  }
  return out;
}

/** The pure merge: defaults ← file ← env ← flags. */
export function mergeConfig(layers: {
  file?: PartialConfig;
  env?: PartialConfig;
  flags?: PartialConfig;
}): ResolvedConfig {
  const config = {} as Record<ConfigKey, string | number | boolean>;
  const sources = {} as Record<ConfigKey, ConfigSource>;
  for (const key of CONFIG_KEYS) {
    config[key] = CONFIG_SCHEMA[key].default;
    sources[key] = 'default';
    for (const [source, layer] of [
      ['file', layers.file],
      ['env', layers.env],
      ['flag', layers.flags],
    ] as const) {
      const v = layer?.[key];
      if (v !== undefined) {
        config[key] = v;
        sources[key] = source;
      }
    }
  }
  return { config: config as Config, sources };
}

export function loadConfig(opts: { path: string; env?: NodeJS.ProcessEnv; flags?: PartialConfig }): ResolvedConfig {
  return mergeConfig({
    file: readConfigFile(opts.path),
    env: readConfigEnv(opts.env ?? process.env),
    ...(opts.flags ? { flags: opts.flags } : {}),
  });
}

/** Sets one key in the file, keeping every other key as it was. Refuses to touch a corrupt file. */
export function setConfigValue(path: string, key: string, raw: string | undefined): PartialConfig {
  const known = requireKey(key);
  const current = readConfigFile(path);
  if (raw === undefined) delete current[known];
  else current[known] = coerceValue(known, raw);
  writeConfigFile(path, current);
  return current;
}

export function writeConfigFile(path: string, values: PartialConfig): void {
  const nested: Record<string, unknown> = {};
  for (const key of CONFIG_KEYS) {
    const v = values[key];
    if (v === undefined) continue;
    const parts = key.split('.');
    let node = nested;
    for (const p of parts.slice(0, -1)) node = (node[p] ??= {}) as Record<string, unknown>;
    node[parts.at(-1) as string] = v;
  }
  writeFileAtomic(path, `${JSON.stringify(nested, null, 2)}\n`, 0o600);
}

/** A key typed on the command line: an unknown one is a usage error, with the keys it may have meant. */
export function requireKey(key: string): ConfigKey {
  if (isConfigKey(key)) return key;
  const leaf = key.split('.').at(-1)?.toLowerCase();
  const near = CONFIG_KEYS.filter((k) => k.split('.').at(-1)?.toLowerCase() === leaf || k.startsWith(`${key}.`));
  throw usageError(
    `unknown config key "${key}"`,
    near.length ? `did you mean ${near.join(', ')}?` : { text: 'see every key', actions: [act('config.list')] },
  );
}
