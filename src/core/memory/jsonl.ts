/**
 * The JSONL export format, version 1: one memory per line, `{"v":1,"id","text","kind","createdAt",…}`. Forgotten
 * memories are exported as tombstones without text. parseImportLine validates a whole line before anything is
 * applied, so an invalid line is reported and skipped, never half-applied.
 */
import { isUlid } from '../ids.js';
import type { MemoryRow } from './rows.js';
import { MEMORY_KINDS, type MemoryKind, type MemorySource, type MemoryStatus } from './types.js';

export interface ImportRecord {
  id?: string;
  text: string;
  kind: MemoryKind;
  actor?: string;
  source?: MemorySource;
  salience?: number;
  pinned?: boolean;
  createdAt?: number;
  status: MemoryStatus;
}

export function exportLine(r: MemoryRow): string {
  const base = { v: 1, id: r.id, kind: r.kind, actor: r.actor, createdAt: r.created_at, updatedAt: r.updated_at };
  if (r.status === 'forgotten') return JSON.stringify({ ...base, status: 'forgotten' });
  return JSON.stringify({
    ...base,
    text: r.text,
    source: JSON.parse(r.source) as MemorySource,
    salience: r.salience,
    pinned: r.pinned === 1,
    status: r.status,
    ...(r.merged_into ? { mergedInto: r.merged_into } : {}),
    revision: r.revision,
  });
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parses one line; returns null for a blank line, throws Error(message) for an invalid one. */
export function parseImportLine(line: string): ImportRecord | null {
  if (!line.trim()) return null;
  let o: unknown;
  try {
    o = JSON.parse(line);
  } catch {
    throw new Error('not valid JSON');
  }
  if (!isObj(o)) throw new Error('expected a JSON object');
  if (o.v !== undefined && o.v !== 1)
    throw new Error(`unsupported format version ${JSON.stringify(o.v)} (this progeny reads v1)`);
  const status = (o.status ?? 'active') as MemoryStatus;
  if (!['active', 'archived', 'forgotten'].includes(status))
    throw new Error(`unknown status ${JSON.stringify(o.status)}`);
  if (o.id !== undefined && (typeof o.id !== 'string' || !isUlid(o.id)))
    throw new Error('"id" must be a ULID (26 characters)');
  if (status === 'forgotten' && o.id === undefined) throw new Error('a forgotten tombstone needs its "id"');
  if (status !== 'forgotten' && (typeof o.text !== 'string' || !o.text.trim()))
    throw new Error('"text" must be a non-empty string');
  const kind = (o.kind ?? 'interaction') as MemoryKind;
  if (!MEMORY_KINDS.includes(kind)) throw new Error(`"kind" must be one of ${MEMORY_KINDS.join(', ')}`);
  if (o.actor !== undefined && (typeof o.actor !== 'string' || !o.actor))
    throw new Error('"actor" must be a non-empty string');
  if (o.source !== undefined && !isObj(o.source)) throw new Error('"source" must be an object');
  if (o.salience !== undefined && (typeof o.salience !== 'number' || !(o.salience >= 0 && o.salience <= 1)))
    throw new Error('"salience" must be a number from 0 to 1');
  if (o.pinned !== undefined && typeof o.pinned !== 'boolean') throw new Error('"pinned" must be true or false');
  if (
    o.createdAt !== undefined &&
    (typeof o.createdAt !== 'number' || !Number.isFinite(o.createdAt) || o.createdAt < 0)
  )
    throw new Error('"createdAt" must be a timestamp in milliseconds');
  return {
    text: status === 'forgotten' ? '' : (o.text as string),
    kind,
    status,
    ...(o.id !== undefined ? { id: o.id as string } : {}),
    ...(o.actor !== undefined ? { actor: o.actor as string } : {}),
    ...(o.source !== undefined ? { source: o.source as MemorySource } : {}),
    ...(o.salience !== undefined ? { salience: o.salience as number } : {}),
    ...(o.pinned !== undefined ? { pinned: o.pinned as boolean } : {}),
    ...(o.createdAt !== undefined ? { createdAt: Math.floor(o.createdAt as number) } : {}),
  };
}
