/**
 * `progeny memory migrate --to qdrant|embedded`: copies every active memory's vector and payload from SQLite (the
 * source of truth, so no re-embedding) into the target MemoryStore, in batches, each acknowledged before a
 * checkpoint in meta records it: an interrupted migration resumes after the last acknowledged batch. Points of
 * forgotten or archived memories are removed from the target. It ends by verifying: the target's count against
 * SQLite's, and a sample of recalls (the target's top-k for a memory's own vector against an exact search over
 * SQLite's vectors).
 */
import { ProgenyError } from '../errors.js';
import { getMeta, setMeta, type Db } from '../store/db.js';
import { pointOf } from './store-rows.js';
import type { MemoryStore, StoreRow } from './types.js';
import { dot, fromBlob } from './vectors.js';

export interface MigrateOptions {
  db: Db;
  target: MemoryStore;
  to: 'qdrant' | 'embedded';
  batchSize?: number;
  /** Forget a previous checkpoint and copy everything again. */
  restart?: boolean;
  /** Memories whose recall is compared with an exact search. */
  sample?: number;
  k?: number;
  onProgress?: (done: number, total: number) => void;
  /** Checked between batches: a store that fell back to queueing (AMNESIA) must stop the migration. */
  healthy?: () => boolean;
  signal?: AbortSignal;
}

export interface MigrateReport {
  to: string;
  total: number;
  copied: number;
  /** Already copied by an interrupted earlier run. */
  resumedFrom: number;
  removed: number;
  targetCount: number;
  countsMatch: boolean;
  sample: { checked: number; k: number; recallAtK: number };
  verified: boolean;
  elapsedMs: number;
}

type Row = StoreRow & { vector: Buffer };

interface Checkpoint {
  lastLabel: number;
  copied: number;
}

const ACTIVE = "status = 'active' AND vector IS NOT NULL";
const COLUMNS = 'id, label, actor, kind, created_at, salience, status, revision, vector';

export const checkpointKey = (to: string): string => `memory.migrate.${to}.checkpoint`;

export async function migrateMemories(o: MigrateOptions): Promise<MigrateReport> {
  const t0 = performance.now();
  const key = checkpointKey(o.to);
  const batch = o.batchSize ?? 256;
  const saved = o.restart ? undefined : getMeta(o.db, key);
  const start: Checkpoint = saved ? (JSON.parse(saved) as Checkpoint) : { lastLabel: -1, copied: 0 };
  const total = (o.db.prepare(`SELECT count(*) AS n FROM memories WHERE ${ACTIVE}`).get() as { n: number }).n;
  const page = o.db.prepare(`SELECT ${COLUMNS} FROM memories WHERE ${ACTIVE} AND label > ? ORDER BY label LIMIT ?`);
  let cp = { ...start };
  o.onProgress?.(cp.copied, total);
  for (let rows = page.all(cp.lastLabel, batch) as Row[]; rows.length; rows = page.all(cp.lastLabel, batch) as Row[]) {
    if (o.signal?.aborted)
      throw new ProgenyError(
        'INTERRUPTED',
        `migration interrupted after ${cp.copied} of ${total} memories; run it again to resume`,
        {},
      );
    await o.target.mirror(rows);
    await o.target.flush();
    if (o.healthy && !o.healthy()) {
      throw new ProgenyError(
        'MIGRATE_TARGET_DOWN',
        `the ${o.to} store stopped answering after ${cp.copied} of ${total} memories`,
        {
          hint: 'run the same command again once it is back: the migration resumes where it stopped',
        },
      );
    }
    cp = { lastLabel: (rows.at(-1) as Row).label, copied: cp.copied + rows.length };
    setMeta(o.db, key, JSON.stringify(cp));
    o.onProgress?.(cp.copied, total);
  }
  const removed = await removeInactive(o.db, o.target, batch);
  await o.target.flush();
  const targetCount = await o.target.count();
  const sample = await sampleRecall(o.db, o.target, o.sample ?? 20, o.k ?? 5);
  const countsMatch = targetCount === total;
  const verified = countsMatch && sample.recallAtK >= 0.9;
  if (verified) o.db.prepare('DELETE FROM meta WHERE key = ?').run(key);
  return {
    to: o.to,
    total,
    copied: cp.copied - start.copied,
    resumedFrom: start.copied,
    removed,
    targetCount,
    countsMatch,
    sample,
    verified,
    elapsedMs: performance.now() - t0,
  };
}

/** Points for memories that are not active (forgotten, archived, not yet embedded) must not be found in the target. */
async function removeInactive(db: Db, target: MemoryStore, batch: number): Promise<number> {
  const refs = db.prepare(`SELECT ${COLUMNS} FROM memories WHERE NOT (${ACTIVE})`).all() as StoreRow[];
  for (let i = 0; i < refs.length; i += batch) await target.mirror(refs.slice(i, i + batch));
  return refs.length;
}

/**
 * Recall@k of the target against an exact search, for `n` memories spread over the label range, each queried with
 * its own vector. One pass over SQLite's vectors keeps the exact top-k of every sample query at once.
 */
async function sampleRecall(db: Db, target: MemoryStore, n: number, k: number): Promise<MigrateReport['sample']> {
  const all = db.prepare(`SELECT label FROM memories WHERE ${ACTIVE} ORDER BY label`).pluck().all() as number[];
  if (all.length === 0 || n === 0) return { checked: 0, k, recallAtK: 1 };
  const step = Math.max(1, Math.floor(all.length / n));
  const picked = all.filter((_, i) => i % step === 0).slice(0, n);
  const byLabel = db.prepare(
    `SELECT id, label, actor, kind, created_at, salience, vector FROM memories WHERE label = ?`,
  );
  const queries = picked.map((l) => pointOf(byLabel.get(l) as Row));
  const best = queries.map(() => [] as { id: string; s: number }[]);
  for (const r of db.prepare(`SELECT id, vector FROM memories WHERE ${ACTIVE}`).iterate() as Iterable<{
    id: string;
    vector: Buffer;
  }>) {
    const v = fromBlob(r.vector);
    queries.forEach((q, qi) => {
      const s = dot(v, q.vector);
      const top = best[qi] as { id: string; s: number }[];
      if (top.length < k || s > (top.at(-1) as { s: number }).s) {
        top.push({ id: r.id, s });
        top.sort((a, b) => b.s - a.s);
        if (top.length > k) top.pop();
      }
    });
  }
  let found = 0;
  let wanted = 0;
  for (const [qi, q] of queries.entries()) {
    const exact = best[qi] ?? [];
    // Equal vectors (the same text twice) tie: a hit counts when it scores at least the exact k-th best, computed
    // here from its vector rather than trusting the target's similarity.
    const kth = exact.at(-1)?.s ?? Infinity;
    const got = await target.search(q.vector, { limit: k, filter: {} });
    wanted += exact.length;
    found += Math.min(exact.length, got.filter((g) => dot(q.vector, g.vector) >= kth - 1e-5).length);
  }
  return { checked: queries.length, k, recallAtK: wanted ? found / wanted : 1 };
}
