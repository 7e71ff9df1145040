import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import type { PreparedSuite } from '../suite.js';
import { suite } from './sync.js';

let dir: string;
let prepared: PreparedSuite | undefined;
afterEach(async () => {
  await prepared?.close();
  rmSync(dir, { recursive: true, force: true });
});

it('both ways to start a new device get the whole companion, as the bench runs them: the log first, then the snapshot', async () => {
  dir = mkdtempSync(join(tmpdir(), 'progeny-bench-sync-'));
  prepared = await suite.setup({ dir, seed: 1, memories: 40 });
  const initial = prepared.cases.filter((c) => c.name.startsWith('sync.initial'));
  expect(initial.map((c) => c.name)).toEqual(['sync.initial', 'sync.initialSnapshot']);
  // As src/bench/worker.ts does: each case's prepare right before its calls, in the suite's order.
  for (const c of initial) {
    await c.prepare?.();
    // Each call joins a fresh device and throws unless every memory and message arrived.
    await c.op();
    await c.op();
  }
}, 60_000);
