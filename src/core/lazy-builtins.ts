/**
 * Node built-ins that most commands never use, loaded the first time one is asked for instead of when a module that
 * mentions them is evaluated: node:crypto costs ~3.5 ms of CPU to load and node:worker_threads ~2 ms, and a command
 * that opens the engine has about 30 ms in all above a bare `node` (docs/performance.md, "Start-up"). `state show`
 * and `memory list` neither hash nor draw random bytes nor start a worker.
 */
import { createRequire } from 'node:module';

const load = createRequire(import.meta.url);
let crypto: typeof import('node:crypto') | undefined;
let workers: typeof import('node:worker_threads') | undefined;

export const nodeCrypto = (): typeof import('node:crypto') => (crypto ??= load('node:crypto') as typeof crypto)!;

export const workerThreads = (): typeof import('node:worker_threads') =>
  (workers ??= load('node:worker_threads') as typeof workers)!;
