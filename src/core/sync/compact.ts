/**
 * The synced state as a compacted log (docs/sync.md, "Snapshots"): every synced field's newest value with its clock, as
 * changes the applier understands. A snapshot seals this.
 */
import type { Change } from './changes.js';
import type { SyncSession } from './context.js';
import { type Db, stmt } from '../store/db.js';

interface ClockRow {
  coll: string;
  rec_id: string;
  field: string;
  hlc: string;
}

/** What the per-collection parts add to: the changes so far, the records seen, and each field's newest clock. */
interface Compaction {
  db: Db;
  out: Change[];
  /** `coll\0id` of every record present, so erasures of records never received can be told apart. */
  had: Set<string>;
  clock(c: string, i: string, f: string): string;
  /** Adds a field's value with its clock; a field never changed by sync (no clock) is left out. */
  push(c: Change['c'], i: string, f: string, v: unknown): void;
}

/** Every synced field's newest value with its clock, as changes the applier understands. */
export function compactChanges(s: SyncSession): Change[] {
  const { db } = s;
  const clocks = new Map<string, string>();
  for (const r of stmt(db, 'SELECT coll, rec_id, field, hlc FROM sync_clocks').iterate() as IterableIterator<ClockRow>)
    clocks.set(`${r.coll}\0${r.rec_id}\0${r.field}`, r.hlc);
  const clock = (c: string, i: string, f: string): string => clocks.get(`${c}\0${i}\0${f}`) ?? '';
  const out: Change[] = [];
  const o: Compaction = {
    db,
    out,
    had: new Set<string>(),
    clock,
    push: (c, i, f, v) => {
      const h = clock(c, i, f);
      if (h) out.push({ c, i, f, v, h });
    },
  };
  compactSingletons(o);
  compactMemories(o);
  compactConversations(o);
  compactDevices(o);
  erasuresWithoutRecord(clocks, o.had, out);
  return out;
}

/** The limbic state and the heritage document: one record each, field by field. */
function compactSingletons(o: Compaction): void {
  const limbic = stmt(o.db, 'SELECT state FROM limbic_state WHERE id = 1').pluck().get() as string | undefined;
  if (limbic)
    for (const [k, v] of Object.entries(JSON.parse(limbic) as Record<string, unknown>))
      o.push('limbic', 'limbic', k, v);
  const doc = stmt(o.db, 'SELECT doc FROM heritage_versions ORDER BY version DESC LIMIT 1').pluck().get() as
    string | undefined;
  if (doc)
    for (const [k, v] of Object.entries(JSON.parse(doc) as Record<string, unknown>))
      o.push('heritage', 'heritage', k, v);
}

/** Each memory whole (its creation) and then each field that sync changes, with the field's own clock. */
function compactMemories(o: Compaction): void {
  for (const m of stmt(o.db, 'SELECT * FROM memories').iterate() as IterableIterator<Record<string, unknown>>) {
    const id = m.id as string;
    o.had.add(`memory\0${id}`);
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
    o.out.push({ c: 'memory', i: id, f: '*', v: whole, h: o.clock('memory', id, '*') || '0' });
    for (const [f, col] of [
      ['text', 'text'],
      ['kind', 'kind'],
      ['salience', 'salience'],
      ['pinned', 'pinned'],
      ['status', 'status'],
      ['mergedInto', 'merged_into'],
    ] as const) {
      o.push('memory', id, f, col === 'pinned' ? m.pinned === 1 : m[col]);
    }
    o.push('memory', id, 'forget', true);
  }
}

/** Conversations, then their messages whole, with deletions. */
function compactConversations(o: Compaction): void {
  for (const c of stmt(o.db, 'SELECT * FROM conversations').iterate() as IterableIterator<Record<string, unknown>>) {
    o.out.push({
      c: 'message',
      i: c.id as string,
      f: 'conversation',
      v: { actor: c.actor, title: c.title, createdAt: c.created_at },
      h: o.clock('message', c.id as string, 'conversation') || '0',
    });
  }
  for (const m of stmt(o.db, 'SELECT * FROM messages').iterate() as IterableIterator<Record<string, unknown>>) {
    o.had.add(`message\0${m.id as string}`);
    o.out.push({
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
    o.push('message', m.id as string, 'delete', true);
  }
}

/** Devices whole, then their name, capabilities and revocation. */
function compactDevices(o: Compaction): void {
  for (const d of stmt(o.db, 'SELECT * FROM devices').iterate() as IterableIterator<Record<string, unknown>>) {
    const id = d.id as string;
    o.out.push({
      c: 'device',
      i: id,
      f: '*',
      v: { name: d.name, capabilities: JSON.parse(d.capabilities as string) as unknown, createdAt: d.created_at },
      h: o.clock('device', id, '*') || '0',
    });
    o.push('device', id, 'name', d.name);
    o.push('device', id, 'capabilities', JSON.parse(d.capabilities as string) as unknown);
    if (d.revoked_at !== null) o.push('device', id, 'revoked', true);
  }
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
