#!/usr/bin/env node
// Regenerates the configuration table in README.md from the config schema (run after `npm run build`).
// `node scripts/readme-config.mjs --check` exits 1 when the README is out of date; src/core/config/readme-table.test.ts
// fails the suite in the same case.
import { readFileSync, writeFileSync } from 'node:fs';

const { withConfigTable } = await import('../dist/core/config/readme-table.js');
const path = new URL('../README.md', import.meta.url);
const readme = readFileSync(path, 'utf8');
const next = withConfigTable(readme);
if (process.argv.includes('--check')) {
  if (next !== readme) {
    console.error('README.md config table is out of date: run node scripts/readme-config.mjs');
    process.exit(1);
  }
} else writeFileSync(path, next);
