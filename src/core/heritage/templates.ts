/** Heritage templates shipped in fixtures/heritage/ (the same path from src/ under tests and from dist/). */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { usageError } from '../errors.js';
import { validateHeritage, type Heritage } from './types.js';

const TEMPLATE_DIR = fileURLToPath(new URL('../../../fixtures/heritage/', import.meta.url));
export const DEFAULT_TEMPLATE = 'companion';

export function listTemplates(): string[] {
  return readdirSync(TEMPLATE_DIR)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -5))
    .sort();
}

export function loadTemplate(name: string): Heritage {
  const names = listTemplates();
  if (!names.includes(name)) throw usageError(`unknown heritage template "${name}"`, `templates: ${names.join(', ')}`);
  return validateHeritage(JSON.parse(readFileSync(`${TEMPLATE_DIR}${name}.json`, 'utf8')));
}
