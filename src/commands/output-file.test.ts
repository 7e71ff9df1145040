import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ProgenyError } from '../core/errors.js';
import { checkOutputFile, writeOutputFile } from './output-file.js';

const dir = mkdtempSync(join(tmpdir(), 'progeny-output-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = join(dir, 'a-file');
writeFileSync(file, 'x');

const usage = (fn: () => void): ProgenyError => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ProgenyError);
    expect((err as ProgenyError).code).toBe('USAGE');
    return err as ProgenyError;
  }
  throw new Error('expected a usage error');
};

describe('output files named on the command line', () => {
  it('accepts a new file, also under folders that do not exist yet, and writes it there', () => {
    const path = join(dir, 'new', 'deeper', 'report.json');
    checkOutputFile(path, '--out');
    writeOutputFile(path, '{}\n', '--out', 0o600);
    expect(readFileSync(path, 'utf8')).toBe('{}\n');
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('refuses a folder, and a path through a file, naming the flag and the reason', () => {
    expect(usage(() => checkOutputFile(dir, '--plot')).message).toBe(`--plot cannot write ${dir}: it is a folder`);
    const through = join(file, 'sub', 'x.svg');
    expect(usage(() => checkOutputFile(through, '--plot')).message).toBe(
      `--plot cannot write ${through}: ${file} is a file, not a folder`,
    );
  });

  it('turns a failed write into the same usage error', () => {
    const err = usage(() => writeOutputFile(join(file, 'x.json'), '{}', '--save-baseline'));
    expect(err.message).toMatch(/^--save-baseline cannot write .*a-file\/x\.json: E[A-Z]+ \(/);
  });
});
