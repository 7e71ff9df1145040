#!/usr/bin/env node
// Regenerates the configuration table in README.md from the config schema (run after `npm run build`).
// `node scripts/readme-config.mjs --check` exits 1 when the README is out of date (a test runs the same check).
import { readFileSync, writeFileSync } from 'node:fs';

const { CONFIG_SCHEMA, envVarFor } = await import('../dist/core/config/schema.js');
export function configTable() {
  const rows = Object.entries(CONFIG_SCHEMA).map(([key, s]) => {
    const type = s.kind === 'enum' ? s.values.join(' \\| ') : s.kind;
    return `| \`${key}\` | \`${envVarFor(key)}\` | ${type} | \`${JSON.stringify(s.default)}\` | ${s.doc} |`;
  });
  return ['| key | env var | type | default | meaning |', '|---|---|---|---|---|', ...rows].join('\n');
}

const START = '<!-- config-table:start -->';
const END = '<!-- config-table:end -->';
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const a = readme.indexOf(START);
const b = readme.indexOf(END);
if (a < 0 || b < 0) throw new Error('README.md lacks the config-table markers');
const next = `${readme.slice(0, a + START.length)}\n${configTable()}\n${readme.slice(b)}`;
if (process.argv.includes('--check')) {
  if (next !== readme) {
    console.error('README.md config table is out of date: run node scripts/readme-config.mjs');
    process.exit(1);
  }
} else writeFileSync(new URL('../README.md', import.meta.url), next);
