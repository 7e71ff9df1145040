/**
 * The durable replay queue for AMNESIA (migration 4): while Qdrant is unreachable, vector writes are appended here,
 * in the same SQLite database that holds the memories, and replayed in order once Qdrant answers again. A row keeps
 * the whole point (vector and payload), so replay needs nothing else and a later edit of the memory cannot change
 * what an earlier queued write meant.
 */
import { immediate, type Db } from '../../store/db.js';
import type { VectorPoint } from '../types.js';

export type ReplayOp = { op: 'upsert'; point: VectorPoint } | { op: 'remove'; id: string; label: number };

export interface ReplayRow {
  seq: number;
  op: ReplayOp;
}

interface RawRow {
  seq: number;
  op: 'upsert' | 'remove';
  memory_id: string;
  label: number;
  vector: Buffer | null;
  payload: string | null;
}

function decode(r: RawRow): ReplayOp {
  if (r.op === 'remove' || !r.vector || !r.payload) return { op: 'remove', id: r.memory_id, label: r.label };
  const bytes = r.vector.buffer.slice(r.vector.byteOffset, r.vector.byteOffset + r.vector.byteLength);
  return {
    op: 'upsert',
    point: {
      id: r.memory_id,
      label: r.label,
      vector: new Float32Array(bytes),
      payload: JSON.parse(r.payload) as VectorPoint['payload'],
    },
  };
}

export class ReplayQueue {
  constructor(
    private readonly db: Db,
    private readonly collection: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** Appends in one transaction: either every op is queued or none is. */
  push(ops: ReplayOp[]): void {
    if (ops.length === 0) return;
    const insert = this.db.prepare(
      'INSERT INTO qdrant_replay (collection, op, memory_id, label, vector, payload, queued_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    const at = this.now();
    immediate(this.db, () => {
      for (const o of ops) {
        if (o.op === 'upsert') {
          const v = o.point.vector;
          insert.run(
            this.collection,
            'upsert',
            o.point.id,
            o.point.label,
            Buffer.from(v.buffer, v.byteOffset, v.byteLength),
            JSON.stringify(o.point.payload),
            at,
          );
        } else {
          insert.run(this.collection, 'remove', o.id, o.label, null, null, at);
        }
      }
    });
  }

  size(): number {
    return (
      this.db.prepare('SELECT count(*) AS n FROM qdrant_replay WHERE collection = ?').get(this.collection) as {
        n: number;
      }
    ).n;
  }

  /** The oldest `limit` queued ops, in the order they were queued. */
  peek(limit: number): ReplayRow[] {
    const rows = this.db
      .prepare(
        'SELECT seq, op, memory_id, label, vector, payload FROM qdrant_replay WHERE collection = ? ORDER BY seq LIMIT ?',
      )
      .all(this.collection, limit) as RawRow[];
    return rows.map((r) => ({ seq: r.seq, op: decode(r) }));
  }

  /** Drops everything up to and including `seq`, once Qdrant acknowledged it. */
  ack(seq: number): void {
    this.db.prepare('DELETE FROM qdrant_replay WHERE collection = ? AND seq <= ?').run(this.collection, seq);
  }
}

/** Keeps the last op per point: an upsert followed by a remove of the same memory only needs the remove. */
export function coalesce(rows: ReplayRow[]): { upserts: VectorPoint[]; removes: { id: string; label: number }[] } {
  const last = new Map<number, ReplayOp>();
  for (const r of rows) {
    const label = r.op.op === 'upsert' ? r.op.point.label : r.op.label;
    last.delete(label);
    last.set(label, r.op);
  }
  const upserts: VectorPoint[] = [];
  const removes: { id: string; label: number }[] = [];
  for (const op of last.values()) {
    if (op.op === 'upsert') upserts.push(op.point);
    else removes.push({ id: op.id, label: op.label });
  }
  return { upserts, removes };
}
