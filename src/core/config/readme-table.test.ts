import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIG_SCHEMA } from './schema.js';
import { configTable, withConfigTable } from './readme-table.js';

const README = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');

describe('the README configuration table', () => {
  it('is the one the schema generates (run `node scripts/readme-config.mjs` after changing a key)', () => {
    expect(withConfigTable(README)).toBe(README);
  });

  it('has one row per config key', () => {
    const rows = configTable().split('\n').slice(2);
    expect(rows.map((r) => /^\| `([^`]+)`/.exec(r)?.[1])).toEqual(Object.keys(CONFIG_SCHEMA));
  });
});
