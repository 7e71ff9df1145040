/**
 * The synced state as a compacted log (docs/sync.md, "Snapshots"): every synced field's newest value with its clock, as
 * changes the applier understands. A snapshot seals this.
 */
import type { Change } from './changes.js';
import type { SyncSession } from './context.js';
import { stmt } from '../store/db.js';

interface ClockRow {
  coll: string;
  rec_id: string;
  field: string;
  hlc: string;
}

/** Every synced field's newest value with its clock, as changes the applier understands. */
export function compactChanges(s: SyncSession): Change[] {
  const { db } = s;
  const clocks = new Map<string, string>();
  for (const r of stmt(db, 'SELECT coll, rec_id, field, hlc FROM sync_clocks').iterate() as IterableIterator<ClockRow>)
    clocks.set(`${r.coll}\0${r.rec_id}\0${r.field}`, r.hlc);
  const clock = (c: string, i: string, f: string): string => clocks.get(`${c}\0${i}\0${f}`) ?? '';
  const out: Change[] = [];
  const had = new Set<string>();
  const push = (c: Change['c'], i: string, f: string, v: unknown): void => {
    const h = clock(c, i, f);
    if (h) out.push({ c, i, f, v, h });
  };
  const limbic = stmt(db, 'SELECT state FROM limbic_state WHERE id = 1').pluck().get() as string | undefined;
  if (limbic)
    for (const [k, v] of Object.entries(JSON.parse(limbic) as Record<string, unknown>)) push('limbic', 'limbic', k, v);
  const doc = stmt(db, 'SELECT doc FROM heritage_versions ORDER BY version DESC LIMIT 1').pluck().get() as
    string | undefined;
  if (doc)
    for (const [k, v] of Object.entries(JSON.parse(doc) as Record<string, unknown>)) push('heritage', 'heritage', k, v);
  for (const m of stmt(db, 'SELECT * FROM memories').iterate() as IterableIterator<Record<string, unknown>>) {
    const id = m.id as string;
    had.add(`memory\0${id}`);
    const whole = {
      text: m.text,
      kind: m.kind,
      actor: m.actor,
      source: JSON.parse(m.source as string) as unknown,
      createdAt: m.created_at,
      salience: m.salience,
      pinned: m.pinned === 1,
      status: m.status,
      mergedInto: m.merged_into,
    };
    out.push({ c: 'memory', i: id, f: '*', v: whole, h: clock('memory', id, '*') || '0' });
    for (const [f, col] of [
      ['text', 'text'],
      ['kind', 'kind'],
      ['salience', 'salience'],
      ['pinned', 'pinned'],
      ['status', 'status'],
      ['mergedInto', 'merged_into'],
    ] as const) {
      push('memory', id, f, col === 'pinned' ? m.pinned === 1 : m[col]);
    }
    push('memory', id, 'forget', true);
  }
  for (const c of stmt(db, 'SELECT * FROM conversations').iterate() as IterableIterator<Record<string, unknown>>) {
    out.push({
      c: 'message',
      i: c.id as string,
      f: 'conversation',
      v: { actor: c.actor, title: c.title, createdAt: c.created_at },
      h: clock('message', c.id as string, 'conversation') || '0',
    });
  }
  for (const m of stmt(db, 'SELECT * FROM messages').iterate() as IterableIterator<Record<string, unknown>>) {
    had.add(`message\0${m.id as string}`);
    out.push({
      c: 'message',
      i: m.id as string,
      f: '*',
      v: {
        conversationId: m.conversation_id,
        turnId: m.turn_id,
        role: m.role,
        text: m.text,
        status: m.status,
        meta: JSON.parse(m.meta as string) as unknown,
        createdAt: m.created_at,
      },
      h: m.hlc as string,
    });
    push('message', m.id as string, 'delete', true);
  }
  for (const d of stmt(db, 'SELECT * FROM devices').iterate() as IterableIterator<Record<string, unknown>>) {
    const id = d.id as string;
    out.push({
      c: 'device',
      i: id,
      f: '*',
      v: { name: d.name, capabilities: JSON.parse(d.capabilities as string) as unknown, createdAt: d.created_at },
      h: clock('device', id, '*') || '0',
    });
    push('device', id, 'name', d.name);
    push('device', id, 'capabilities', JSON.parse(d.capabilities as string) as unknown);
    if (d.revoked_at !== null) push('device', id, 'revoked', true);
  }
  erasuresWithoutRecord(clocks, had, out);
  return out;
}

/**
 * A forget or delete that arrived before its record leaves only a clock: the snapshot carries it, so the record, if it
 * comes late, stays erased on a device that started from the snapshot.
 */
function erasuresWithoutRecord(clocks: Map<string, string>, had: Set<string>, out: Change[]): void {
  for (const [key, h] of clocks) {
    const [c, i, f] = key.split('\0') as [string, string, string];
    const erasure = (c === 'memory' && f === 'forget') || (c === 'message' && f === 'delete');
    if (erasure && !had.has(`${c}\0${i}`)) out.push({ c: c as Change['c'], i, f, v: true, h });
  }
}
