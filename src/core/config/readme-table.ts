/**
 * The README's configuration table, generated from the schema so the two cannot disagree:
 * `node scripts/readme-config.mjs` rewrites it, and readme-table.test.ts fails when it is out of date.
 */
import { CONFIG_SCHEMA, envVarFor, type ConfigKey } from './schema.js';

export const TABLE_START = '<!-- config-table:start -->';
export const TABLE_END = '<!-- config-table:end -->';

export function configTable(): string {
  const rows = (Object.keys(CONFIG_SCHEMA) as ConfigKey[]).map((key) => {
    const s = CONFIG_SCHEMA[key];
    const type = s.values ? s.values.join(' \\| ') : s.kind;
    return `| \`${key}\` | \`${envVarFor(key)}\` | ${type} | \`${JSON.stringify(s.default)}\` | ${s.doc} |`;
  });
  return ['| key | env var | type | default | meaning |', '|---|---|---|---|---|', ...rows].join('\n');
}

/** The README with its table (between the markers) replaced by the current one. */
export function withConfigTable(readme: string): string {
  const a = readme.indexOf(TABLE_START);
  const b = readme.indexOf(TABLE_END);
  if (a < 0 || b < a) throw new Error('README.md lacks the config-table markers');
  return `${readme.slice(0, a + TABLE_START.length)}\n${configTable()}\n${readme.slice(b)}`;
}
