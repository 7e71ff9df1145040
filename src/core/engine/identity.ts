/** This home's device id (pseudonymous, random) and the server's bearer token (a 0600 secret file). */
import { nodeCrypto } from '../lazy-builtins.js';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { ProgenyError } from '../errors.js';
import { writeSecretFile } from '../fs-atomic.js';
import type { Paths } from '../paths.js';
import { getMeta, immediate, setMeta, type Db } from '../store/db.js';
import { act } from '../hints.js';

/**
 * A new device id: 12 random bytes in base64url, never starting with `-` (progeny prints ids inside commands such as
 * `progeny device approve <id>`, where a leading `-` would read as an option).
 */
export function newDeviceId(random: (n: number) => Buffer = (n) => nodeCrypto().randomBytes(n)): string {
  for (;;) {
    const id = random(12).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

export function ensureDeviceId(db: Db): string {
  const existing = getMeta(db, 'device_id');
  if (existing) return existing;
  return immediate(db, () => {
    const again = getMeta(db, 'device_id');
    if (again) return again;
    const id = newDeviceId();
    setMeta(db, 'device_id', id);
    return id;
  });
}

/** Reads the server token, creating it (mode 0600) when missing. */
export function ensureServerToken(paths: Paths): string {
  if (existsSync(paths.serverToken)) return readServerToken(paths);
  const token = nodeCrypto().randomBytes(32).toString('base64url');
  writeSecretFile(paths.serverToken, `${token}\n`);
  return token;
}

export function readServerToken(paths: Paths): string {
  const mode = statSync(paths.serverToken).mode & 0o777;
  if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
    throw new ProgenyError('SECRET_MODE', `${paths.serverToken} is readable by others (mode ${mode.toString(8)})`, {
      hint: `run: chmod 600 ${paths.serverToken}`,
    });
  }
  const token = readFileSync(paths.serverToken, 'utf8').trim();
  if (token.length < 32)
    throw new ProgenyError('SECRET_INVALID', `${paths.serverToken} does not hold a valid token`, {
      hint: 'delete it and create a new one',
      actions: [act('init')],
    });
  return token;
}
