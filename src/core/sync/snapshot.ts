/**
 * Snapshots compact the log (docs/sync.md, "Snapshots"): an admin device that is fully caught up writes its synced
 * state as the newest value and clock of every field (compact.ts), sealed with the epoch key and signed, tagged with the
 * relay seq it covers and every device's position at that seq. The relay then deletes the batches it covers, so a
 * forgotten memory's text is delivered to no one afterwards. A new or lagging device loads the newest snapshot,
 * applies it through the normal conflict rules, then pulls after it. Each snapshot is announced in the log, so a relay
 * that serves an older snapshot than one it had is caught.
 */
import { constants as bufferLimits } from 'node:buffer';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import nacl from 'tweetnacl';
import { ProgenyError } from '../errors.js';
import { getMeta, immediate, stmt } from '../store/db.js';
import { createApplier } from './apply.js';
import type { Change } from './changes.js';
import { compactChanges } from './compact.js';
import { alarm, metaNum, setMetaNum, type SyncSession } from './context.js';
import { fetchEpoch, loadPeers } from './peers.js';
import {
  encodeSnapshot,
  parseSnapshot,
  snapshotSignedBy,
  type ParsedSnapshot,
  type SnapshotHeader,
} from './snapshot-format.js';
import { act } from '../hints.js';

export type { SnapshotHeader } from './snapshot-format.js';
/**
 * A snapshot states the size of its body (`bytes`, signed with the header), and its reader inflates up to that; only
 * a snapshot from an older writer, without it, is held to a fixed limit (`unsized`).
 */
export const SNAPSHOT_LIMITS = { unsized: 512 * 1024 * 1024 };

/**
 * The body: a JSON array of [coll, id, field, value, clock], one change per line. Neither side ever holds it as one
 * string: V8 caps a string at ~512 MiB, and a home of 1M memories and 1M messages makes ~570 MB (283 bytes a record).
 */
function snapshotBody(changes: Change[]): Buffer {
  const parts: Buffer[] = [];
  let chunk = '[\n';
  changes.forEach((c, n) => {
    chunk += (n ? ',\n' : '') + JSON.stringify([c.c, c.i, c.f, c.v, c.h]);
    if (chunk.length > 1 << 20) {
      parts.push(Buffer.from(chunk));
      chunk = '';
    }
  });
  parts.push(Buffer.from(chunk + '\n]'));
  return Buffer.concat(parts);
}

type BodyRow = [Change['c'], string, string, unknown, string];

/** Reads a body line by line (as snapshotBody lays it out), or whole (an older writer's single line). */
function parseBody(body: Buffer): Change[] {
  const toChange = ([c, i, f, v, h]: BodyRow): Change => ({ c, i, f, v, h });
  if (body.length < 2 || body[0] !== 0x5b || body[1] !== 0x0a)
    return (JSON.parse(body.toString('utf8')) as BodyRow[]).map(toChange);
  const out: Change[] = [];
  for (let at = 2; at < body.length;) {
    let end = body.indexOf(0x0a, at);
    if (end < 0) end = body.length;
    const line = body.toString('utf8', at, body[end - 1] === 0x2c ? end - 1 : end);
    if (line !== ']') out.push(toChange(JSON.parse(line) as BodyRow));
    at = end + 1;
  }
  return out;
}

/** Throws unless this device may write a snapshot now: an admin, fully caught up, nothing parked or stopped. */
function requireCaughtUp(s: SyncSession): number {
  const { db, vault } = s;
  const seq = metaNum(db, 'sync_cursor');
  const parked = stmt(db, 'SELECT count(*) FROM sync_parked').pluck().get() as number;
  if (seq === 0 || parked > 0 || getMeta(db, 'sync_stalled'))
    throw new ProgenyError('SYNC_NOT_CAUGHT_UP', 'a snapshot needs a complete pull first, with nothing parked', {
      hint: 'pull, then check the sync status',
      actions: [act('sync.pull'), act('sync.status')],
    });
  const me = loadPeers(s).get(vault.deviceId);
  if (!me?.caps.includes('admin'))
    throw new ProgenyError('FORBIDDEN', 'only an admin device writes snapshots', {
      hint: 'the batches a snapshot replaces are deleted from the relay, so it must come from a device trusted with all of them',
    });
  return seq;
}

/**
 * Writes a snapshot at this device's cursor (call right after a complete pull) and announces it in the log. The relay
 * then deletes the batches up to that seq.
 */
export async function writeSnapshot(s: SyncSession, signal?: AbortSignal): Promise<{ seq: number; bytes: number }> {
  const { db, vault } = s;
  const seq = requireCaughtUp(s);
  const positions: SnapshotHeader['positions'] = {};
  for (const p of loadPeers(s).values())
    if (p.lastSeq > 0) positions[p.deviceId] = { seq: p.lastSeq, hash: p.lastHash };
  const own = stmt(
    db,
    'SELECT device_seq, hash FROM sync_seen WHERE device_id = ? ORDER BY device_seq DESC LIMIT 1',
  ).get(vault.deviceId) as { device_seq: number; hash: string } | undefined;
  if (own) positions[vault.deviceId] = { seq: own.device_seq, hash: own.hash };
  const plain = snapshotBody(compactChanges(s));
  const header: SnapshotHeader = {
    v: 1,
    bytes: plain.length,
    vaultId: vault.vaultId,
    deviceId: vault.deviceId,
    seq,
    keyEpoch: vault.epoch,
    positions,
  };
  const body = deflateRawSync(plain);
  const nonce = nacl.randomBytes(24);
  const box = Buffer.from(nacl.secretbox(body, nonce, vault.dataKeys.get(vault.epoch) as Uint8Array));
  const data = encodeSnapshot(header, nonce, box, vault.keys.signSk);
  const sig = signal ? { signal } : {};
  await s.relay.call('PUT', `/v1/sync/vaults/${vault.vaultId}/snapshot`, { seq, data: data.toString('base64') }, sig);
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

/**
 * Loads the relay's newest snapshot (if any) and moves the cursor after it: a fresh device starts there, and a device
 * whose place in the log was compacted away continues from there. Returns its seq, or 0 (none, or it did not verify:
 * a `snapshot` alarm).
 */
export async function loadSnapshot(s: SyncSession, signal?: AbortSignal): Promise<number> {
  const { db, vault } = s;
  const sig = signal ? { signal } : {};
  let res: { seq: number; deviceId: string; data: string };
  try {
    res = await s.relay.call('GET', `/v1/sync/vaults/${vault.vaultId}/snapshot`, undefined, sig);
  } catch (err) {
    if ((err as { status?: number }).status === 404) return 0;
    throw err;
  }
  const head = (await s.relay.call<{ head: number }>('GET', `/v1/sync/vaults/${vault.vaultId}/head`, undefined, sig))
    .head;
  const bad = (why: string): number => {
    alarm(db, s.clock.now(), 'snapshot', why);
    return 0;
  };
  let parsed: ParsedSnapshot;
  try {
    parsed = parseSnapshot(Buffer.from(res.data, 'base64'));
  } catch (err) {
    return bad((err as Error).message);
  }
  const { header } = parsed;
  const signer = loadPeers(s).get(header.deviceId);
  if (!signer || header.vaultId !== vault.vaultId || header.seq !== res.seq)
    return bad('the snapshot names another vault, seq or an unknown device');
  if (!signer.caps.includes('admin')) return bad('the snapshot was written by a device that is not an admin');
  if (!snapshotSignedBy(parsed, signer.signPk)) return bad('the snapshot signature does not verify');
  if (!vault.dataKeys.has(header.keyEpoch)) await fetchEpoch(s, header.keyEpoch, signal);
  const dk = vault.dataKeys.get(header.keyEpoch);
  const plain = dk && nacl.secretbox.open(parsed.box, parsed.nonce, dk);
  if (!plain) return bad('the snapshot does not decrypt');
  let changes: Change[];
  const limit = header.bytes ?? SNAPSHOT_LIMITS.unsized;
  if (limit > bufferLimits.MAX_LENGTH) return bad('the snapshot is larger than this device can read');
  try {
    const body = inflateRawSync(plain, { maxOutputLength: limit });
    if (header.bytes !== undefined && body.length !== header.bytes)
      return bad('the snapshot body is not the size it states');
    changes = parseBody(body);
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
