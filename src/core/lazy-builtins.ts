/**
 * Node built-ins that most commands never use, loaded the first time one is asked for instead of when a module that
 * mentions them is evaluated: node:crypto costs ~3.5 ms of CPU to load and node:worker_threads ~2 ms, and a command
 * that opens the engine has about 30 ms in all above a bare `node` (docs/performance.md, "Start-up"). `state show`
 * and `memory list` neither hash nor draw random bytes nor start a worker.
 */
import type * as Crypto from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { createRequire } from 'node:module';
import type * as Readline from 'node:readline';
import type * as WorkerThreads from 'node:worker_threads';

// Made on the first load: import.meta.url costs a file URL built when the module is evaluated.
const load = (id: string): unknown => createRequire(import.meta.url)(id);
let crypto: typeof Crypto | undefined;
let workers: typeof WorkerThreads | undefined;

export const nodeCrypto = (): typeof Crypto => (crypto ??= load('node:crypto') as typeof Crypto);

export const workerThreads = (): typeof WorkerThreads =>
  (workers ??= load('node:worker_threads') as typeof WorkerThreads);

export const nodeReadline = (): typeof Readline => load('node:readline') as typeof Readline;

/** Whether node:crypto is loaded already (then it costs nothing more to use it). */
export const cryptoLoaded = (): boolean => crypto !== undefined;

const POOL_BYTES = 1024;
let pool: Buffer | undefined;
let used = POOL_BYTES;

/** A pool's worth of bytes from /dev/urandom, or undefined where it cannot be read (Windows, a sandbox). */
function fromUrandom(): Buffer | undefined {
  if (process.platform === 'win32') return undefined;
  try {
    const fd = openSync('/dev/urandom', 'r');
    try {
      const bytes = Buffer.allocUnsafe(POOL_BYTES);
      return readSync(fd, bytes, 0, POOL_BYTES, null) === POOL_BYTES ? bytes : undefined;
    } finally {
      closeSync(fd);
    }
  } catch {
    return undefined;
  }
}

/**
 * `n` random bytes from the kernel's generator, read from /dev/urandom a pool at a time, so that `memory add` draws
 * its id's randomness without loading node:crypto (~3.5 ms); node:crypto's randomBytes (OpenSSL, seeded from the same
 * kernel generator) once it is loaded anyway, or where /dev/urandom cannot be read. Each pooled byte is handed out
 * once.
 */
export function randomBytes(n: number): Buffer {
  if (crypto || n > POOL_BYTES) return nodeCrypto().randomBytes(n);
  if (used + n > POOL_BYTES) {
    pool = fromUrandom();
    used = 0;
  }
  if (!pool) return nodeCrypto().randomBytes(n);
  const out = Buffer.from(pool.subarray(used, used + n));
  pool.fill(0, used, used + n);
  used += n;
  return out;
}
