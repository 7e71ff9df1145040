/** How committed rows of the memories table become a vector store's points and removals (types.ts, `mirror`). */
import type { StoreRow, VectorPoint } from './types.js';
import { fromBlob } from './vectors.js';

export interface PointRef {
  id: string;
  label: number;
}

export function pointOf(r: StoreRow & { vector: Buffer }): VectorPoint {
  return {
    id: r.id,
    label: r.label,
    vector: fromBlob(r.vector),
    payload: { actor: r.actor, kind: r.kind, createdAt: r.created_at, salience: r.salience },
  };
}

const searchable = (r: StoreRow): r is StoreRow & { vector: Buffer } => r.status === 'active' && r.vector !== null;

/** Active rows with a vector are to be found; others not. */
export function splitRows(rows: StoreRow[]): { up: VectorPoint[]; down: PointRef[] } {
  const up = rows.filter(searchable).map(pointOf);
  // An active row at its first revision without a vector was just written and is waiting for one: it never was in
  // the store, so there is nothing to remove (a remote store would queue a useless delete).
  const down = rows
    .filter((r) => !searchable(r) && !(r.status === 'active' && r.revision === 1))
    .map((r) => ({ id: r.id, label: r.label }));
  return { up, down };
}
