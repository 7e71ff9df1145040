/** One line of `memory search --batch`: a JSON object (or a bare JSON string) naming the query and its options. */
import { MEMORY_KINDS, type MemoryKind } from '../../core/memory/types.js';

export interface BatchQuery {
  query: string;
  k: number;
  actor?: string;
  kinds?: MemoryKind[];
  /** Echoed on the result line so a script can match results to its questions. */
  id?: unknown;
}

const isKind = (v: unknown): v is MemoryKind => (MEMORY_KINDS as readonly unknown[]).includes(v);

/** The line's query with the command line's flags as defaults, or why the line is not a query. */
export function parseBatchQuery(line: string, defaults: Omit<BatchQuery, 'query'>): BatchQuery | { error: string } {
  let o: unknown;
  try {
    o = JSON.parse(line);
  } catch {
    return { error: 'not valid JSON (each line is {"query": "…"} or a JSON string)' };
  }
  if (typeof o === 'string') o = { query: o };
  if (typeof o !== 'object' || o === null || Array.isArray(o)) return { error: 'expected a JSON object or string' };
  const q = o as Record<string, unknown>;
  const query = q.query ?? q.q;
  if (typeof query !== 'string' || !query.trim()) return { error: '"query" must be a non-empty string' };
  const k = q.k ?? defaults.k;
  if (typeof k !== 'number' || !Number.isInteger(k) || k < 1 || k > 100)
    return { error: '"k" must be a whole number from 1 to 100' };
  if (q.actor !== undefined && (typeof q.actor !== 'string' || !q.actor.trim()))
    return { error: '"actor" must be a name, or "*" for every actor' };
  if (q.kinds !== undefined && (!Array.isArray(q.kinds) || !q.kinds.length || !q.kinds.every(isKind)))
    return { error: `"kinds" must be a list of ${MEMORY_KINDS.join(', ')}` };
  const actor = (q.actor as string | undefined) ?? defaults.actor;
  const kinds = (q.kinds as MemoryKind[] | undefined) ?? defaults.kinds;
  return {
    query: query.trim(),
    k,
    ...(actor !== undefined && actor !== '*' ? { actor } : {}),
    ...(kinds ? { kinds } : {}),
    ...(q.id !== undefined ? { id: q.id } : {}),
  };
}
