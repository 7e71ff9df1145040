/**
 * The child-process side of `bench core`: one fresh process per suite and run. It receives its job over IPC, builds
 * the suite's data in a temporary directory from the seed, measures every selected case, and sends one message per
 * case back. Anything it cannot do is sent as a `failed` message; it never prints.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { measureCase, type MeasureBounds } from './measure.js';
import { globMatcher } from './parse.js';
import { sampleResources } from './resources.js';
import { loadSuite } from './suites/index.js';
import type { RawRun } from './types.js';

export interface WorkerJob {
  suite: string;
  seed: number;
  memories?: number;
  filter?: string;
  bounds: MeasureBounds;
}

export type WorkerMessage =
  | { type: 'case'; raw: RawRun }
  | { type: 'done'; setupMs: number }
  | { type: 'failed'; stage: 'load' | 'setup' | 'measure'; message: string };

const send = (m: WorkerMessage): Promise<void> => new Promise((r) => (process.send ? process.send(m, () => r()) : r()));

async function runJob(job: WorkerJob): Promise<void> {
  let stage: 'load' | 'setup' | 'measure' = 'load';
  const dir = mkdtempSync(join(tmpdir(), `progeny-bench-${job.suite}-`));
  try {
    const suite = await loadSuite(job.suite);
    stage = 'setup';
    const t0 = process.hrtime.bigint();
    const prepared = await suite.setup({
      dir,
      seed: job.seed,
      ...(job.memories !== undefined ? { memories: job.memories } : {}),
    });
    const setupMs = Number(process.hrtime.bigint() - t0) / 1e6;
    stage = 'measure';
    try {
      const selected = globMatcher(job.filter);
      const seen = new Map<string, number>();
      for (const c of prepared.cases.filter((x) => selected(x.name))) {
        // Two cases with one name (e.g. two dataset sizes that coincide) must not be merged as if they were runs.
        const n = (seen.get(c.name) ?? 0) + 1;
        seen.set(c.name, n);
        const name = n > 1 ? `${c.name}#${n}` : c.name;
        if (c.prepare) await c.prepare();
        const sampler = sampleResources();
        const m = await measureCase(c, job.bounds);
        const resources = sampler.stop();
        const extra = c.quality ? await c.quality() : undefined;
        const invalid = m.calls < 10 ? [`only ${m.calls} calls measured (need ≥ 10): raise --duration`] : [];
        await send({
          type: 'case',
          raw: {
            name,
            group: job.suite,
            histogram: m.histogram.encode(),
            calls: m.calls,
            ops: m.calls * (c.opsPerCall ?? 1),
            errors: m.errors,
            ...(m.firstError ? { firstError: m.firstError } : {}),
            elapsedNs: m.elapsedNs,
            resources,
            invalid,
            ...(extra ? { extra } : {}),
          },
        });
      }
    } finally {
      await prepared.close();
    }
    await send({ type: 'done', setupMs });
  } catch (err) {
    await send({ type: 'failed', stage, message: err instanceof Error ? err.message : String(err) });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

process.once('message', (job: WorkerJob) => {
  void runJob(job).finally(() => process.disconnect?.());
});
