/**
 * The embedded MemoryStore. SQLite (memories.vector) is the source of truth; this store keeps a searchable mirror
 * and catches up with writes made by other processes on the same home through memories.change_seq, so a memory
 * acknowledged anywhere is searchable here on the next search.
 */
import type { Paths } from '../paths.js';
import type { Db } from '../store/db.js';
import { FlatVectors } from './flat-vectors.js';
import type { BackendHealth, Embedder, MemoryKind, MemoryStore, VectorCandidate, VectorPoint } from './types.js';
import { fromBlob } from './vectors.js';

export interface EmbeddedStoreDeps {
  db: Db;
  paths: Paths;
  embedder: Embedder;
}

interface SyncRow {
  id: string;
  label: number;
  actor: string;
  kind: MemoryKind;
  created_at: number;
  salience: number;
  status: string;
  embedder: string;
  vector: Buffer | null;
  change_seq: number;
}

export function createEmbeddedStore({ db, embedder }: EmbeddedStoreDeps): MemoryStore {
  let flat: FlatVectors | null = null;
  let seenSeq = 0;
  const maxSeq = db.prepare('SELECT coalesce(max(change_seq), 0) FROM memories').pluck();
  const changed = db.prepare(
    'SELECT id, label, actor, kind, created_at, salience, status, embedder, vector, change_seq FROM memories WHERE change_seq > ? ORDER BY change_seq',
  );

  /** Applies every row changed since we last looked (by this process or another one). */
  const catchUp = (): FlatVectors => {
    const top = maxSeq.get() as number;
    if (flat && top <= seenSeq) return flat;
    for (const r of changed.iterate(seenSeq) as IterableIterator<SyncRow>) {
      const searchable = r.status === 'active' && r.vector && r.embedder === embedder.id;
      if (!searchable) {
        flat?.delete(r.id);
        continue;
      }
      const vector = fromBlob(r.vector as Buffer);
      flat ??= new FlatVectors(vector.length);
      flat.set({ id: r.id, label: r.label, vector, payload: { actor: r.actor, kind: r.kind, createdAt: r.created_at, salience: r.salience } });
    }
    seenSeq = Math.max(seenSeq, top);
    flat ??= new FlatVectors(embedder.dimensions || 384);
    return flat;
  };

  return {
    backend: 'embedded',
    async open() {
      catchUp();
    },
    async upsert(points: VectorPoint[]) {
      const f = flat ?? catchUp();
      for (const p of points) f.set(p);
    },
    async remove(ids) {
      const f = flat ?? catchUp();
      for (const { id } of ids) f.delete(id);
    },
    async search(vector, { limit, filter }): Promise<VectorCandidate[]> {
      return catchUp().search(vector, limit, filter);
    },
    async count() {
      return catchUp().size;
    },
    async probe(): Promise<BackendHealth> {
      try {
        const n = catchUp().size;
        return { ok: true, backend: 'embedded', detail: `exact search over ${n} vectors in SQLite`, count: n };
      } catch (err) {
        return { ok: false, backend: 'embedded', detail: (err as Error).message };
      }
    },
    async flush() {},
    async close() {
      flat = null;
      seenSeq = 0;
    },
  };
}
