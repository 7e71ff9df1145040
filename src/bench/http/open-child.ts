/**
 * Runs the open-model generator in a child process of its own, with V8 flags for a generator pinned to one core:
 * `--single-threaded-gc`, because parallel scavenging hands work to helper threads that, pinned to the same core,
 * can only take turns with the main thread (measured: 0.6 ms scavenges and thousands of context switches per run,
 * against 0.15 ms and none), and a larger young generation so the spinning scheduler's garbage is collected less
 * often. Each scavenge pause is charged to the requests due during it, so it shows in the send lag. The child
 * inherits the parent's CPU pinning and warms up before it measures. As a module run by fork() it is the child
 * side; imported, the parent side.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ProgenyError, type ErrorCode } from '../../core/errors.js';
import type { RawRun } from '../types.js';
import type { HttpLoad } from './load.js';
import { runOpen } from './open.js';
import type { HintAction } from '../../core/hints.js';

interface Job {
  name: string;
  group: string;
  load: HttpLoad;
  rate: number;
}
type Reply =
  { ok: true; raw: RawRun } | { ok: false; message: string; code?: ErrorCode; hint?: string; actions?: HintAction[] };

const SELF = fileURLToPath(import.meta.url);
export const GENERATOR_FLAGS = ['--single-threaded-gc', '--min-semi-space-size=16'];

export function runOpenInChild(name: string, group: string, load: HttpLoad, rate: number): Promise<RawRun> {
  return new Promise((resolve, reject) => {
    const child = fork(SELF, ['--open-model-child'], {
      execArgv: GENERATOR_FLAGS,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let reply: Reply | undefined;
    child.once('message', (m: Reply) => (reply = m));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (reply?.ok) resolve(reply.raw);
      else if (reply?.code) reject(ProgenyError.fromJSON({ ...reply, code: reply.code }));
      else
        reject(
          new Error(reply ? reply.message : `the open-model generator process exited with ${code} before reporting`),
        );
    });
    child.send({ name, group, load, rate } satisfies Job);
  });
}

if (process.argv.includes('--open-model-child') && process.send) {
  process.once('message', (job: Job) => {
    // A fresh process runs its first second cold (JIT, heap growth): measured at 15k req/s, P99 send lag 4.9 ms cold
    // against 0.6 ms warm. Warm up at the same rate, then measure.
    runOpen('warmup', job.group, { ...job.load, durationMs: Math.min(1000, job.load.durationMs / 4) }, job.rate)
      .then(() => runOpen(job.name, job.group, job.load, job.rate))
      .then(
        (raw): Reply => ({ ok: true, raw }),
        (err: Error): Reply => ({
          ok: false,
          message: err.message,
          ...(err instanceof ProgenyError ? err.toJSON() : {}),
        }),
      )
      .then((reply) => process.send!(reply, () => process.disconnect()));
  });
}
