/**
 * Files a user names on the command line for a command's output (`bench --out`, `--save-baseline`, `--plot`,
 * `memory export --out`, `profile --out`): checked
 * before any work, so a mistyped path fails in a second instead of after an hour of measuring, and a write that still
 * fails is a usage error that names the flag and the reason, not "a bug in progeny".
 */
import { accessSync, constants, statSync, type Stats } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { usageError, type ProgenyError } from '../core/errors.js';
import { writeFileAtomic } from '../core/fs-atomic.js';

const HINT = 'name a file in a folder you can write to';

/** Stats of a path, or null when nothing is there (ENOTDIR too: a file stands where a folder of the path should). */
function statOrNull(path: string): Stats | null {
  try {
    return statSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw err;
  }
}

const cannotWrite = (flag: string, path: string, why: string): ProgenyError =>
  usageError(`${flag} cannot write ${path}: ${why}`, HINT);

/**
 * Throws a usage error unless `path` could be written: not a folder, and its nearest existing ancestor a folder this
 * process may write in (the missing folders between are created at the write, as `writeFileAtomic` does).
 */
export function checkOutputFile(path: string, flag: string): void {
  const abs = resolve(path);
  if (statOrNull(abs)?.isDirectory()) throw cannotWrite(flag, path, 'it is a folder');
  let dir = dirname(abs);
  let st = statOrNull(dir);
  while (!st && dirname(dir) !== dir) st = statOrNull((dir = dirname(dir)));
  if (st && !st.isDirectory()) throw cannotWrite(flag, path, `${dir} is a file, not a folder`);
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    throw cannotWrite(flag, path, `${dir} is not writable`);
  }
}

/** `writeFileAtomic`, with a failure reported as the flag's usage error (ENOSPC, a read-only file system…). */
export function writeOutputFile(path: string, data: string, flag: string, mode?: number): void {
  try {
    writeFileAtomic(path, data, mode);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw cannotWrite(flag, path, e.code ? `${e.code} (${e.syscall ?? 'write'})` : e.message);
  }
}
