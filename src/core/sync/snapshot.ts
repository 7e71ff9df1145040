/**
 * Snapshots compact the log (docs/sync.md): a device that is fully caught up writes its synced state as the newest value
 * and clock of every field — a compacted log — sealed with the epoch key and signed, tagged with the relay seq it
 * covers and every device's position at that seq. A new device loads the newest snapshot, applies it through the
 * normal conflict rules, then pulls after it. Each snapshot is announced in the log, so a relay that serves an older
 * snapshot than one it had is caught.
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import nacl from 'tweetnacl';
import { ProgenyError } from '../errors.js';
import { immediate, stmt } from '../store/db.js';
import { createApplier } from './apply.js';
import type { Change } from './changes.js';
import { alarm, metaNum, setMetaNum, type SyncSession } from './context.js';
import { fromB64, sha256hex, signBytes, toB64, verifyBytes } from './crypto.js';
import { fetchEpoch, loadPeers } from './peers.js';

const MAX_SNAPSHOT_INFLATED = 512 * 1024 * 1024;

export interface SnapshotHeader {
  v: 1;
  vaultId: string;
  deviceId: string;
  seq: number;
  keyEpoch: number;
  positions: Record<string, { seq: number; hash: string }>;
}

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
  return out;
}

const headerBytes = (h: SnapshotHeader): Buffer => Buffer.from(JSON.stringify(h));

/** Writes a snapshot at this device's cursor (call right after a complete pull) and announces it in the log. */
export async function writeSnapshot(s: SyncSession, signal?: AbortSignal): Promise<{ seq: number; bytes: number }> {
  const { db, vault } = s;
  const seq = metaNum(db, 'sync_cursor');
  const parked = stmt(db, "SELECT count(*) FROM sync_parked WHERE reason != 'version'").pluck().get() as number;
  if (seq === 0 || parked > 0)
    throw new ProgenyError('SYNC_NOT_CAUGHT_UP', 'a snapshot needs a complete pull first', {
      hint: 'run `progeny sync pull` and check `progeny sync status`',
    });
  const positions: SnapshotHeader['positions'] = {};
  for (const p of loadPeers(s).values())
    if (p.lastSeq > 0) positions[p.deviceId] = { seq: p.lastSeq, hash: p.lastHash };
  const own = stmt(
    db,
    'SELECT device_seq, hash FROM sync_seen WHERE device_id = ? ORDER BY device_seq DESC LIMIT 1',
  ).get(vault.deviceId) as { device_seq: number; hash: string } | undefined;
  if (own) positions[vault.deviceId] = { seq: own.device_seq, hash: own.hash };
  const header: SnapshotHeader = {
    v: 1,
    vaultId: vault.vaultId,
    deviceId: vault.deviceId,
    seq,
    keyEpoch: vault.epoch,
    positions,
  };
  const body = deflateRawSync(Buffer.from(JSON.stringify(compactChanges(s).map((c) => [c.c, c.i, c.f, c.v, c.h]))));
  const nonce = nacl.randomBytes(24);
  const box = Buffer.from(nacl.secretbox(body, nonce, vault.dataKeys.get(vault.epoch) as Uint8Array));
  const hb = headerBytes(header);
  const sig = signBytes(
    Buffer.concat([Buffer.from('progeny/snapshot\0'), hb, Buffer.from(sha256hex(box))]),
    vault.keys.signSk,
  );
  const data = JSON.stringify({
    header: hb.toString('base64'),
    nonce: toB64(nonce),
    box: box.toString('base64'),
    sig: toB64(sig),
  });
  await s.relay.call(
    'PUT',
    `/v1/sync/vaults/${vault.vaultId}/snapshot`,
    { seq, data: Buffer.from(data).toString('base64') },
    signal ? { signal } : {},
  );
  immediate(db, () => {
    // The announcement travels with the next push.
    stmt(db, 'INSERT INTO outbox (coll, rec_id, field, value, hlc, created_at) VALUES (?, ?, ?, ?, ?, ?)').run(
      'sync',
      vault.deviceId,
      'snapshot',
      JSON.stringify({ seq }),
      nextHlcIn(s),
      s.clock.now(),
    );
  });
  return { seq, bytes: data.length };
}

function nextHlcIn(s: SyncSession): string {
  const row = stmt(s.db, "SELECT value FROM meta WHERE key = 'hlc_last'").pluck().get() as string | undefined;
  return row ?? '000000000000000-' + s.vault.deviceId;
}

/** On a fresh device: loads the newest snapshot (if any) and positions the cursor after it. Returns its seq or 0. */
export async function loadSnapshot(s: SyncSession, signal?: AbortSignal): Promise<number> {
  const { db, vault } = s;
  let res: { seq: number; deviceId: string; data: string };
  try {
    res = await s.relay.call('GET', `/v1/sync/vaults/${vault.vaultId}/snapshot`, undefined, signal ? { signal } : {});
  } catch (err) {
    if ((err as { status?: number }).status === 404) return 0;
    throw err;
  }
  const head = (
    await s.relay.call<{ head: number }>(
      'GET',
      `/v1/sync/vaults/${vault.vaultId}/head`,
      undefined,
      signal ? { signal } : {},
    )
  ).head;
  const bad = (why: string): number => {
    alarm(db, s.clock.now(), 'snapshot', why);
    return 0;
  };
  let parsed: { header: string; nonce: string; box: string; sig: string };
  try {
    parsed = JSON.parse(Buffer.from(res.data, 'base64').toString('utf8')) as typeof parsed;
  } catch {
    return bad('the snapshot is not readable');
  }
  const hb = Buffer.from(String(parsed.header), 'base64');
  const box = Buffer.from(String(parsed.box), 'base64');
  let header: SnapshotHeader;
  try {
    header = JSON.parse(hb.toString('utf8')) as SnapshotHeader;
  } catch {
    return bad('the snapshot header is not readable');
  }
  const signer = loadPeers(s).get(header.deviceId);
  if (!signer || header.vaultId !== vault.vaultId || header.seq !== res.seq)
    return bad('the snapshot names another vault, seq or an unknown device');
  if (
    !verifyBytes(
      Buffer.concat([Buffer.from('progeny/snapshot\0'), hb, Buffer.from(sha256hex(box))]),
      fromB64(parsed.sig),
      signer.signPk,
    )
  )
    return bad('the snapshot signature does not verify');
  if (!vault.dataKeys.has(header.keyEpoch)) await fetchEpoch(s, header.keyEpoch, signal);
  const dk = vault.dataKeys.get(header.keyEpoch);
  const plain = dk && nacl.secretbox.open(box, fromB64(parsed.nonce, 24), dk);
  if (!plain) return bad('the snapshot does not decrypt');
  let changes: Change[];
  try {
    const raw = JSON.parse(inflateRawSync(plain, { maxOutputLength: MAX_SNAPSHOT_INFLATED }).toString('utf8')) as [
      Change['c'],
      string,
      string,
      unknown,
      string,
    ][];
    changes = raw.map(([c, i, f, v, h]) => ({ c, i, f, v, h }));
  } catch {
    return bad('the snapshot body is invalid');
  }
  const apply = createApplier(db);
  immediate(db, () => {
    apply({ db, now: s.clock.now(), from: header.deviceId }, changes);
    for (const [id, p] of Object.entries(header.positions)) {
      stmt(
        db,
        'UPDATE sync_peers SET last_seq = max(last_seq, ?), last_hash = CASE WHEN last_seq < ? THEN ? ELSE last_hash END WHERE device_id = ?',
      ).run(p.seq, p.seq, p.hash, id);
      stmt(db, 'INSERT OR IGNORE INTO sync_seen (device_id, device_seq, hash) VALUES (?, ?, ?)').run(id, p.seq, p.hash);
    }
    const own = header.positions[vault.deviceId];
    if (own) ownBatchesCovered(s, own);
    setMetaNum(db, 'sync_cursor', Math.max(metaNum(db, 'sync_cursor'), header.seq));
    setMetaNum(db, 'sync_snapshot_loaded', header.seq);
    setMetaNum(db, 'sync_snapshot_head', head);
  });
  return header.seq;
}

/**
 * This device's own batches that a snapshot covers are seen, as a pull would have seen them: their outbox rows and
 * sealed copies can go (else they would be sent again after a compaction deleted them from the log).
 */
function ownBatchesCovered(s: SyncSession, own: { seq: number; hash: string }): void {
  const { db } = s;
  const mine = stmt(db, 'SELECT hash, outbox_max FROM sync_batches WHERE device_seq = ?').get(own.seq) as
    { hash: string; outbox_max: number } | undefined;
  if (!mine) return;
  if (mine.hash !== own.hash) {
    alarm(db, s.clock.now(), 'snapshot', `the snapshot names a batch ${own.seq} of this device that it did not seal`);
    return;
  }
  stmt(db, 'DELETE FROM outbox WHERE seq <= ?').run(mine.outbox_max);
  stmt(db, 'DELETE FROM sync_batches WHERE device_seq <= ?').run(own.seq);
}
