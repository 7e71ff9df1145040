/**
 * The JSONL export format, version 1: one memory per line, `{"v":1,"id","text","kind","createdAt",…}`. Forgotten
 * memories are exported as tombstones without text. parseImportLine validates a whole line before anything is
 * applied, so an invalid line is reported and skipped, never half-applied. A line without an id gets one derived
 * from its content, so importing the same file twice changes nothing (see contentId).
 */
import { nodeCrypto } from '../lazy-builtins.js';
import { encodeUlid, isUlid } from '../ids.js';
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
  /** The id was derived from the content (the line had none): an existing memory with it is the same import. */
  contentId?: boolean;
}

export interface ParsedLine {
  record: ImportRecord;
  /** Fields this format does not have, ignored (reported as warnings with the line number). */
  ignored: string[];
}

/** Every field an export line may carry; anything else is reported, not silently dropped. */
const FIELDS = new Set([
  'v',
  'id',
  'text',
  'kind',
  'actor',
  'source',
  'salience',
  'pinned',
  'createdAt',
  'updatedAt',
  'status',
  'mergedInto',
  'revision',
]);

/**
 * Below 10^11 a millisecond timestamp is before March 1973, while the same number in seconds is any date up to the
 * year 5138: such a value is taken for seconds and refused rather than imported as January 1970.
 */
const SECONDS_LIMIT = 1e11;

/**
 * A ULID for a line without one: its time part is the memory's createdAt (0 when absent), its random part the first
 * 80 bits of SHA-256 over actor, kind and text. The same line always gets the same id, on every device.
 */
export function contentId(text: string, kind: string, actor: string, createdAt: number | undefined): string {
  const digest = nodeCrypto().createHash('sha256').update(`${actor}\u0000${kind}\u0000${text}`).digest();
  return encodeUlid(createdAt ?? 0, digest.subarray(0, 10));
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

function checkCreatedAt(v: unknown): void {
  if (v === undefined) return;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
    throw new Error('"createdAt" must be a timestamp in milliseconds since 1970');
  if (v < SECONDS_LIMIT) {
    const asSeconds = new Date(v * 1000).toISOString().slice(0, 10);
    throw new Error(
      `"createdAt" ${v} looks like seconds (${asSeconds}); progeny reads milliseconds since 1970: multiply by 1000`,
    );
  }
}

/** Parses one line; returns null for a blank line, throws Error(message) for an invalid one. */
export function parseImportLine(line: string): ParsedLine | null {
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
  checkCreatedAt(o.createdAt);
  const createdAt = o.createdAt !== undefined ? Math.floor(o.createdAt as number) : undefined;
  const text = status === 'forgotten' ? '' : (o.text as string);
  const record: ImportRecord = {
    text,
    kind,
    status,
    ...(o.actor !== undefined ? { actor: o.actor as string } : {}),
    ...(o.source !== undefined ? { source: o.source as MemorySource } : {}),
    ...(o.salience !== undefined ? { salience: o.salience as number } : {}),
    ...(o.pinned !== undefined ? { pinned: o.pinned as boolean } : {}),
    ...(createdAt !== undefined ? { createdAt } : {}),
    ...(o.id !== undefined
      ? { id: o.id as string }
      : { id: contentId(text, kind, (o.actor as string | undefined) ?? 'creator', createdAt), contentId: true }),
  };
  return { record, ignored: Object.keys(o).filter((k) => !FIELDS.has(k)) };
}
