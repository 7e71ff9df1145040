import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CATALOGUE, ExitCode, isErrorCode } from './error-codes.js';

const DOC = new URL('../../docs/errors.md', import.meta.url);

/** The rows of docs/errors.md's code table: `| \`CODE\` | exit | HTTP | meaning |`. */
function documentedCodes(): Map<string, { exit: number; status: number }> {
  const rows = new Map<string, { exit: number; status: number }>();
  for (const line of readFileSync(DOC, 'utf8').split('\n')) {
    const m = /^\| `([A-Z][A-Z0-9_]*)` \| (\d+) \| (\d+) \|/.exec(line);
    if (m) rows.set(m[1]!, { exit: Number(m[2]), status: Number(m[3]) });
  }
  return rows;
}

describe('the error catalogue', () => {
  it('is documented in docs/errors.md code by code, with the same exit code and HTTP status', () => {
    const documented = documentedCodes();
    const catalogue = Object.entries(ERROR_CATALOGUE).map(([code, s]) => [code, ExitCode[s.exit], s.status]);
    const doc = catalogue.map(([code]) => {
      const row = documented.get(code as string);
      return [code, row?.exit, row?.status];
    });
    expect(doc).toEqual(catalogue);
    expect([...documented.keys()].filter((c) => !isErrorCode(c))).toEqual([]);
  });

  it('gives client faults 4xx statuses and server or upstream faults 5xx ones', () => {
    for (const [code, s] of Object.entries(ERROR_CATALOGUE)) {
      expect(s.status, code).toBeGreaterThanOrEqual(400);
      expect(s.status, code).toBeLessThan(600);
      if (s.exit === 'unexpected') expect(s.status, code).toBe(500);
      if (s.exit === 'llm' || s.exit === 'store') expect(s.status, code).toBeGreaterThanOrEqual(500);
    }
  });
});
