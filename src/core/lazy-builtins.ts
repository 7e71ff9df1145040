/**
 * Node built-ins that most commands never use, loaded the first time one is asked for instead of when a module that
 * mentions them is evaluated: node:crypto costs ~3.5 ms of CPU to load and node:worker_threads ~2 ms, and a command
 * that opens the engine has about 30 ms in all above a bare `node` (docs/performance.md, "Start-up"). `state show`
 * and `memory list` neither hash nor draw random bytes nor start a worker.
 */
import type * as Crypto from 'node:crypto';
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
