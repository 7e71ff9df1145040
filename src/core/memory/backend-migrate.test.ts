/**
 * `memory migrate` into the Qdrant store over the Qdrant TEST DOUBLE: a full copy verified by counts and sampled
 * recalls, resuming after an interruption (Ctrl+C) and after the target went down mid-way, without copying twice.
 */
import { describe, expect, it } from 'vitest';
import { getMeta, type Db } from '../store/db.js';
import { checkpointKey, migrateMemories } from './backend-migrate.js';
import { storedEmbedder } from './migrate-target.js';
import { storeFixture, unitVector, eachWithQdrantDouble } from '../../testing/qdrant-store-fixture.js';

function seed(db: Db, n: number, forgotten: number[] = []): void {
  const insert =
    db.prepare(`INSERT INTO memories (id, label, text, kind, actor, source, created_at, updated_at, salience, status, embedder, text_hash, vector, change_seq)
    VALUES (?, ?, ?, 'fact', 'creator', '{}', ?, ?, 0.5, ?, 'test/16', ?, ?, ?)`);
  db.transaction(() => {
    for (let i = 1; i <= n; i++) {
      const gone = forgotten.includes(i);
      const v = unitVector(i);
      insert.run(
        `M${String(i).padStart(6, '0')}`,
        i,
        gone ? '' : `memory ${i}`,
        1_700_000_000_000 + i,
        1_700_000_000_000 + i,
        gone ? 'forgotten' : 'active',
        `h${i}`,
        gone ? null : Buffer.from(v.buffer),
        i,
      );
    }
  })();
}

const upsertedPoints = (): number =>
  env.double.requests
    .filter((r) => r.route === 'upsert')
    .reduce((n, r) => n + (r.body as { points: unknown[] }).points.length, 0);

const env = eachWithQdrantDouble((url) => storeFixture(url));

describe('memory migrate --to qdrant', () => {
  it('copies every active memory, removes inactive points, and verifies counts and sampled recalls', async () => {
    seed(env.fx.db, 300, [7, 8, 9]);
    expect(storedEmbedder(env.fx.db)).toMatchObject({ id: 'test/16', dimensions: 16 });
    const s = env.fx.make();
    await s.open();
    const progress: number[] = [];
    const r = await migrateMemories({
      db: env.fx.db,
      target: s,
      to: 'qdrant',
      batchSize: 50,
      onProgress: (d) => progress.push(d),
      healthy: () => s.healthy(),
    });
    expect(r).toMatchObject({
      total: 297,
      copied: 297,
      resumedFrom: 0,
      removed: 3,
      targetCount: 297,
      countsMatch: true,
      verified: true,
    });
    expect(r.sample).toEqual({ checked: 20, k: 5, recallAtK: 1 });
    expect(progress.at(-1)).toBe(297);
    expect(getMeta(env.fx.db, checkpointKey('qdrant'))).toBeUndefined();
  });

  it('resumes after an interruption without copying the acknowledged batches again', async () => {
    seed(env.fx.db, 300);
    const s = env.fx.make();
    await s.open();
    const ac = new AbortController();
    const first = migrateMemories({
      db: env.fx.db,
      target: s,
      to: 'qdrant',
      batchSize: 50,
      signal: ac.signal,
      onProgress: (d) => d >= 100 && ac.abort(),
    });
    await expect(first).rejects.toMatchObject({ code: 'INTERRUPTED' });
    expect(JSON.parse(getMeta(env.fx.db, checkpointKey('qdrant')) ?? '{}')).toEqual({ lastLabel: 100, copied: 100 });
    expect(upsertedPoints()).toBe(100);

    const r = await migrateMemories({ db: env.fx.db, target: s, to: 'qdrant', batchSize: 50 });
    expect(r).toMatchObject({ resumedFrom: 100, copied: 200, targetCount: 300, verified: true });
    expect(upsertedPoints()).toBe(300);
  });

  it('stops when the target goes down mid-way, and resumes once it is back', async () => {
    seed(env.fx.db, 200);
    const s = env.fx.make({ recoverBaseMs: 60_000 });
    await s.open();
    const run = migrateMemories({
      db: env.fx.db,
      target: s,
      to: 'qdrant',
      batchSize: 50,
      healthy: () => s.healthy(),
      onProgress: (d) => d === 100 && env.double.failAlways({ status: 503 }),
    });
    await expect(run).rejects.toMatchObject({ code: 'MIGRATE_TARGET_DOWN' });
    expect(JSON.parse(getMeta(env.fx.db, checkpointKey('qdrant')) ?? '{}')).toMatchObject({ copied: 100 });

    env.double.failAlways(undefined);
    const again = env.fx.make();
    await again.open(); // replays what the first run had queued, then resumes from the checkpoint
    const r = await migrateMemories({
      db: env.fx.db,
      target: again,
      to: 'qdrant',
      batchSize: 50,
      healthy: () => again.healthy(),
    });
    expect(r).toMatchObject({ resumedFrom: 100, copied: 100, targetCount: 200, countsMatch: true, verified: true });
  });
});
