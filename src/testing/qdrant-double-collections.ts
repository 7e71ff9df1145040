/**
 * The in-memory collections behind the Qdrant TEST DOUBLE (qdrant-double.ts): just enough of Qdrant's documented
 * semantics for the endpoints progeny uses: cosine collections that normalise vectors on upsert, points keyed by an
 * unsigned integer or UUID, `must` filters with `match.value` / `match.any`, exact (brute-force) query with
 * optional vectors and payloads, and count. Not a search engine: exact search keeps test expectations simple.
 */

export type PointId = number | string;
export type Payload = Record<string, unknown>;

export interface DoubleCollection {
  size: number;
  distance: string;
  points: Map<string, { id: PointId; vector: number[]; payload: Payload }>;
  indexes: Map<string, unknown>;
}

export interface Condition {
  key: string;
  match?: { value?: unknown; any?: unknown[] };
  range?: { gt?: number; gte?: number; lt?: number; lte?: number };
}

export interface Filter {
  must?: Condition[];
}

export class DoubleError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function normalise(v: number[]): number[] {
  let sum = 0;
  for (const x of v) sum += x * x;
  const n = Math.sqrt(sum);
  return n === 0 ? v : v.map((x) => x / n);
}

function matches(payload: Payload, filter: Filter | undefined): boolean {
  for (const c of filter?.must ?? []) {
    const value = payload[c.key];
    if (c.match && 'value' in c.match && value !== c.match.value) return false;
    if (c.match?.any && !c.match.any.includes(value)) return false;
    if (c.range) {
      if (typeof value !== 'number') return false;
      const r = c.range;
      if ((r.gt !== undefined && !(value > r.gt)) || (r.gte !== undefined && !(value >= r.gte))) return false;
      if ((r.lt !== undefined && !(value < r.lt)) || (r.lte !== undefined && !(value <= r.lte))) return false;
    }
  }
  return true;
}

function checkId(id: unknown): PointId {
  if (typeof id === 'number' && Number.isInteger(id) && id >= 0) return id;
  if (typeof id === 'string' && /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i.test(id))
    return id;
  throw new DoubleError(
    400,
    `Format error in JSON body: value ${JSON.stringify(id)} is not a valid point ID, valid values are either an unsigned integer or a UUID`,
  );
}

export function upsertPoints(c: DoubleCollection, points: { id: unknown; vector: unknown; payload?: Payload }[]): void {
  // Validate the whole batch first: Qdrant rejects a batch with one bad point without applying any of it.
  const checked = points.map((p) => {
    const id = checkId(p.id);
    if (!Array.isArray(p.vector) || p.vector.some((x) => typeof x !== 'number'))
      throw new DoubleError(400, 'Format error in JSON body: vector must be an array of numbers');
    if (p.vector.length !== c.size) {
      throw new DoubleError(
        400,
        `Wrong input: Vector dimension error: expected dim: ${c.size}, got ${p.vector.length}`,
      );
    }
    return {
      id,
      vector: c.distance === 'Cosine' ? normalise(p.vector as number[]) : (p.vector as number[]),
      payload: p.payload ?? {},
    };
  });
  for (const p of checked) c.points.set(String(p.id), p);
}

export function deletePoints(c: DoubleCollection, ids: unknown[]): void {
  for (const id of ids) c.points.delete(String(checkId(id)));
}

export function queryPoints(
  c: DoubleCollection,
  req: { query?: unknown; filter?: Filter; limit?: number; with_vector?: boolean; with_payload?: boolean | string[] },
): { id: PointId; version: number; score: number; payload?: Payload; vector?: number[] }[] {
  if (!Array.isArray(req.query)) throw new DoubleError(400, 'Format error in JSON body: query must be a dense vector');
  if (req.query.length !== c.size) {
    throw new DoubleError(400, `Wrong input: Vector dimension error: expected dim: ${c.size}, got ${req.query.length}`);
  }
  const q = normalise(req.query as number[]);
  const hits: { id: PointId; score: number; payload: Payload; vector: number[] }[] = [];
  for (const p of c.points.values()) {
    if (!matches(p.payload, req.filter)) continue;
    let dot = 0;
    for (let i = 0; i < q.length; i++) dot += (q[i] as number) * (p.vector[i] as number);
    hits.push({ ...p, score: dot });
  }
  hits.sort((a, b) => b.score - a.score);
  return hits.slice(0, req.limit ?? 10).map((h) => {
    const payload =
      req.with_payload === true
        ? h.payload
        : Array.isArray(req.with_payload)
          ? Object.fromEntries(req.with_payload.map((k) => [k, h.payload[k]]))
          : undefined;
    return {
      id: h.id,
      version: 1,
      score: h.score,
      ...(payload ? { payload } : {}),
      ...(req.with_vector ? { vector: h.vector } : {}),
    };
  });
}

export function countPoints(c: DoubleCollection, filter: Filter | undefined): number {
  let n = 0;
  for (const p of c.points.values()) if (matches(p.payload, filter)) n++;
  return n;
}
