import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ExitCode } from '../core/errors.js';
import { EXIT_CODE_MEANINGS } from './exit-codes.js';

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

/** The README's "Exit codes" table as code → meaning (backticks dropped, as `--help` prints it). */
function readmeExitCodes(): Map<number, string> {
  const section = README.split(/^## Exit codes$/m)[1]?.split(/^## /m)[0] ?? '';
  const rows = new Map<number, string>();
  for (const m of section.matchAll(/^\| (\d+) \| (.+) \|$/gm)) rows.set(Number(m[1]), m[2]!.replaceAll('`', ''));
  return rows;
}

describe('exit codes', () => {
  it('are the README table, code for code, each meaning starting as `progeny --help` says it', () => {
    const readme = readmeExitCodes();
    const names = Object.keys(ExitCode) as (keyof typeof ExitCode)[];
    expect([...readme.keys()]).toEqual(names.map((n) => ExitCode[n]));
    for (const name of names)
      expect(readme.get(ExitCode[name]), name).toMatch(new RegExp(`^${escape(EXIT_CODE_MEANINGS[name])}`));
  });
});

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
