import Database from 'better-sqlite3';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ulid } from '../../src/core/ids.js';
import { makeHome, type Home } from './cli-harness.js';

describe('crash safety', () => {
  let home: Home;
  afterEach(() => home.cleanup());

  it('SIGKILL during a batched import: every acknowledged memory survives and the store opens cleanly', async () => {
    // The hash embedder: this is about the durability of the writes, not about making 15,000 semantic vectors
    // (the resumable embedding after a kill is test/e2e/embedder.test.ts).
    home = makeHome({ PROGENY_MEMORY_BATCH_SIZE: '200', PROGENY_EMBEDDER_KIND: 'hash' });
    const file = join(home.dir, 'big.jsonl');
    const ids: string[] = [];
    const lines: string[] = [];
    for (let i = 0; i < 15_000; i++) {
      const id = ulid(Date.UTC(2026, 0, 1) + i);
      ids.push(id);
      lines.push(
        JSON.stringify({
          v: 1,
          id,
          text: `memory number ${i} about topic ${i % 97} and place ${i % 13}`,
          kind: 'fact',
          createdAt: Date.UTC(2026, 0, 1) + i,
        }),
      );
    }
    writeFileSync(file, `${lines.join('\n')}\n`);
    await home.json(['init']);

    const child = home.spawn(['--json', 'memory', 'import', file]);
    let acknowledged = 0;
    let buffered = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no acknowledgement in time; stderr: ${buffered}`)), 60_000);
      child.stderr?.on('data', (d: Buffer) => {
        buffered += d.toString();
        for (const line of buffered.split('\n').slice(0, -1)) {
          const ack = (JSON.parse(line) as { progress?: { acknowledged: number } }).progress?.acknowledged ?? 0;
          acknowledged = Math.max(acknowledged, ack);
        }
        buffered = buffered.slice(buffered.lastIndexOf('\n') + 1);
        if (acknowledged >= 1000) {
          clearTimeout(timer);
          child.kill('SIGKILL');
          resolve();
        }
      });
      child.on('exit', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    await new Promise((r) => child.once('close', r));
    expect(child.signalCode).toBe('SIGKILL');
    expect(acknowledged).toBeGreaterThanOrEqual(1000);
    expect(acknowledged).toBeLessThan(ids.length);

    const db = new Database(join(home.dir, 'progeny.db'));
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    const stored = new Set(db.prepare('SELECT id FROM memories').pluck().all() as string[]);
    db.close();
    const missing = ids.slice(0, acknowledged).filter((id) => !stored.has(id));
    expect(missing).toEqual([]);

    // The store opens cleanly through progeny too, and the import can be resumed to completion.
    const again = await home.run(['--json', 'memory', 'import', file], { timeoutMs: 200_000 });
    expect(again.code).toBe(0);
    const report = JSON.parse(again.stdout) as { imported: number; skipped: number; updated: number };
    expect(report.imported + report.skipped + report.updated).toBe(ids.length);
    const doctor = await home.run(['--json', 'doctor']);
    expect(JSON.parse(doctor.stdout).checks.find((c: { check: string }) => c.check === 'store').status).toBe('ok');
  }, 300_000);
});
