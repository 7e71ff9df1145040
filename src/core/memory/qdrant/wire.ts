/**
 * How progeny's vector points look in Qdrant. A point's id is the memory's integer `label` (Qdrant ids must be
 * unsigned integers or UUIDs, and ULIDs are neither); the memory id travels in the payload as `memory_id`, with the
 * fields recall filters on (actor, kind) and the ones a Qdrant user may want to filter or order by (created_at,
 * salience), each with a payload index.
 */
import type { MemoryKind, VectorCandidate, VectorFilter, VectorPoint } from '../types.js';

// A type alias, not an interface: the client's payload type is an index signature, which interfaces do not satisfy.
export type QdrantPayload = {
  memory_id: string;
  actor: string;
  kind: MemoryKind;
  created_at: number;
  salience: number;
};

/** Payload indexes created with the collection: keyword for the filters, numeric for ranges and ordering. */
export const PAYLOAD_INDEXES = [
  { field_name: 'actor', field_schema: 'keyword' },
  { field_name: 'kind', field_schema: 'keyword' },
  { field_name: 'created_at', field_schema: 'integer' },
  { field_name: 'salience', field_schema: 'float' },
] as const;

export interface WirePoint {
  id: number;
  vector: number[];
  payload: QdrantPayload;
}

export function toWire(p: VectorPoint): WirePoint {
  return {
    id: p.label,
    vector: Array.from(p.vector),
    payload: {
      memory_id: p.id,
      actor: p.payload.actor,
      kind: p.payload.kind,
      created_at: p.payload.createdAt,
      salience: p.payload.salience,
    },
  };
}

export interface WireCondition {
  key: string;
  match: { value: string } | { any: string[] };
}

/** Qdrant's filter for recall's actor / kinds restriction; undefined when nothing restricts. */
export function toWireFilter(f: VectorFilter): { must: WireCondition[] } | undefined {
  const must: WireCondition[] = [];
  if (f.actor !== undefined) must.push({ key: 'actor', match: { value: f.actor } });
  if (f.kinds !== undefined) must.push({ key: 'kind', match: { any: [...f.kinds] } });
  return must.length ? { must } : undefined;
}

interface ScoredPointLike {
  id: unknown;
  score: number;
  payload?: Record<string, unknown> | null | undefined;
  vector?: unknown;
}

/** A query hit as a candidate for the shared scoring and MMR; hits without a memory id or vector are dropped. */
export function fromWireHit(hit: ScoredPointLike): VectorCandidate | undefined {
  const id = hit.payload?.memory_id;
  const vector = hit.vector;
  if (typeof id !== 'string' || !Array.isArray(vector)) return undefined;
  return { id, similarity: hit.score, vector: Float32Array.from(vector as number[]) };
}
