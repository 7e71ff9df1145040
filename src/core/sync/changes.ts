/** A synced change as it travels inside a batch body: a compact tuple, JSON-encoded. */
import type { SyncCollection } from './journal.js';

export interface Change {
  c: SyncCollection;
  i: string;
  f: string;
  v: unknown;
  h: string;
}

export const COLLECTIONS: readonly SyncCollection[] = ['heritage', 'limbic', 'memory', 'message', 'device', 'sync'];

export function encodeChanges(
  rows: { coll: string; rec_id: string; field: string; value: string | null; hlc: string }[],
): string {
  // The outbox stores values as JSON text already; splice them in rather than parse and re-serialise.
  return `[${rows.map((r) => `[${JSON.stringify(r.coll)},${JSON.stringify(r.rec_id)},${JSON.stringify(r.field)},${r.value ?? 'null'},${JSON.stringify(r.hlc)}]`).join(',')}]`;
}

export function decodeChanges(body: Buffer): Change[] {
  const raw = JSON.parse(body.toString('utf8')) as unknown;
  if (!Array.isArray(raw)) throw new Error('batch body is not a list');
  return raw.map((t) => {
    if (
      !Array.isArray(t) ||
      t.length !== 5 ||
      !COLLECTIONS.includes(t[0] as SyncCollection) ||
      typeof t[1] !== 'string' ||
      typeof t[2] !== 'string' ||
      typeof t[4] !== 'string'
    ) {
      throw new Error('malformed change');
    }
    return { c: t[0] as SyncCollection, i: t[1], f: t[2], v: t[3] as unknown, h: t[4] };
  });
}

/** Plaintext bytes a change takes in a body (for splitting into ≤ 256 KiB batches). */
export const changeSize = (r: { rec_id: string; field: string; value: string | null; hlc: string }): number =>
  r.rec_id.length + r.field.length + (r.value?.length ?? 4) + r.hlc.length + 24;
