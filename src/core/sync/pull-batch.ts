/**
 * One batch of a pull (docs/sync.md, "Push and pull"): verify the signature against the verified device log, check
 * deviceSeq continuity and the prevHash chain, decrypt, check the inner header and the clock, and apply — changes,
 * peer position and cursor in one transaction. The answer is a BatchOutcome; the caller decides what the cursor
 * does.
 */
import { getMeta, immediate, setMeta, stmt } from '../store/db.js';
import { decodeChanges, type Change } from './changes.js';
import { ENVELOPE_VERSION, openEnvelope, parseEnvelope, type BatchHeader } from './envelope.js';
import { decodeHlc, encodeHlc, MAX_DRIFT_MS, receiveHlc, type Hlc } from './hlc.js';
import { fetchEpoch, loadPeers, refreshPeers, type Peer } from './peers.js';
import { advance, raise, type BatchOutcome, type PullRun } from './pull-run.js';

const DUPLICATE: BatchOutcome = { kind: 'duplicate' };
const rejected = (alarm: string): BatchOutcome => ({ kind: 'rejected', alarm });
const parkFor = (reason: Extract<BatchOutcome, { kind: 'park' }>['reason']): BatchOutcome => ({ kind: 'park', reason });

/** Which capability a change needs (docs/domain.md, device permissions). */
export function mayChange(caps: string[], c: Change, from: string): boolean {
  if (caps.includes('admin') || c.c === 'sync') return true;
  if (c.c === 'memory') return caps.includes('memory:write');
  if (c.c === 'limbic' || c.c === 'heritage') return caps.includes('state:write');
  if (c.c === 'message') return caps.includes('chat');
  return c.c === 'device' && c.i === from && c.f !== 'capabilities' && c.f !== 'revoked';
}

const seenHash = (run: PullRun, deviceId: string, deviceSeq: number): string | undefined =>
  stmt(run.db, 'SELECT hash FROM sync_seen WHERE device_id = ? AND device_seq = ?').pluck().get(deviceId, deviceSeq) as
    string | undefined;

const markSeen = (run: PullRun, h: BatchHeader, hash: string): void => {
  stmt(run.db, 'INSERT OR IGNORE INTO sync_seen (device_id, device_seq, hash) VALUES (?, ?, ?)').run(
    h.deviceId,
    h.deviceSeq,
    hash,
  );
};

/** Raises an alarm and refuses the batch. */
function refuse(run: PullRun, kind: string, detail: string): BatchOutcome {
  raise(run, kind, detail);
  return rejected(kind);
}

/**
 * Tries to apply the batch at relay seq `seq` (hash `hash`). `fromParked`: it was parked by an earlier pull, so seeing
 * it again is no replay.
 */
export async function processBatch(
  run: PullRun,
  seq: number,
  env: Buffer,
  hash: string,
  fromParked: boolean,
): Promise<BatchOutcome> {
  let h: BatchHeader;
  try {
    h = parseEnvelope(env).header;
  } catch (err) {
    return refuse(run, 'tampered', `batch at seq ${seq}: ${(err as Error).message}`);
  }
  if (h.vaultId !== run.s.vault.vaultId) return refuse(run, 'forged', `batch at seq ${seq} names another vault`);
  if (h.v > ENVELOPE_VERSION) return parkFor('version');
  if (h.deviceId === run.s.vault.deviceId) return applyOwn(run, seq, h, hash);
  const peer = await peerOf(run, h.deviceId);
  if (!peer) return parkFor('unknown-device');
  if (peer.status === 'revoked' && h.deviceSeq > (peer.upTo ?? 0))
    return refuse(run, 'revoked', `batch ${h.deviceSeq} of revoked device ${h.deviceId} rejected`);
  if (h.deviceSeq <= peer.lastSeq) return alreadyApplied(run, seq, h, hash, fromParked);
  if (h.deviceSeq > peer.lastSeq + 1) return parkFor('gap');
  if (!run.s.vault.dataKeys.has(h.keyEpoch) && !(await fetchEpoch(run.s, h.keyEpoch, run.signal)))
    return parkFor('keys');
  return applyPeer(run, seq, env, h, hash, peer);
}

/**
 * A batch whose deviceSeq this device has applied: the same bytes are a duplicate (a re-read after the cursor moved
 * back, a recovery, or a relay serving it again at a new seq: the replay alarm, harmless); other bytes are
 * equivocation. No hash on record (positions taken from a snapshot) is no evidence either way.
 */
function alreadyApplied(run: PullRun, seq: number, h: BatchHeader, hash: string, fromParked: boolean): BatchOutcome {
  const seen = seenHash(run, h.deviceId, h.deviceSeq);
  if (seen !== undefined && seen !== hash)
    return refuse(run, 'equivocation', `device ${h.deviceId} batch ${h.deviceSeq} differs from the one applied`);
  const expected = h.deviceSeq <= (run.repush[h.deviceId] ?? 0);
  if (!fromParked && !run.recovering && !expected && seq > run.readUpTo)
    raise(run, 'replay', `batch ${h.deviceSeq} of device ${h.deviceId} served again at seq ${seq}`);
  return DUPLICATE;
}

/** The peer that signed a batch; an unknown device triggers one device-log refetch per page. */
async function peerOf(run: PullRun, deviceId: string): Promise<Peer | undefined> {
  const known = run.peers.get(deviceId);
  if (known || run.refreshed) return known;
  run.peers = loadPeers(run.s, (await refreshPeers(run.s, run.signal)).devices);
  run.refreshed = true;
  return run.peers.get(deviceId);
}

/** One of this device's own batches, seen back: its outbox rows can go (they are dropped only once seen in a pull). */
function applyOwn(run: PullRun, seq: number, h: BatchHeader, hash: string): BatchOutcome {
  const { db } = run;
  const mine = stmt(db, 'SELECT hash, outbox_max FROM sync_batches WHERE device_seq = ?').get(h.deviceSeq) as
    { hash: string; outbox_max: number } | undefined;
  const seen = seenHash(run, h.deviceId, h.deviceSeq);
  if ((mine && mine.hash !== hash) || (seen && seen !== hash) || (!mine && !seen))
    return refuse(run, 'forged', `a batch ${h.deviceSeq} in this device's name that it did not seal`);
  immediate(db, () => {
    if (mine) {
      stmt(db, 'DELETE FROM outbox WHERE seq <= ?').run(mine.outbox_max);
      stmt(db, 'DELETE FROM sync_batches WHERE device_seq <= ?').run(h.deviceSeq);
      markSeen(run, h, hash);
    }
    advance(run, seq, hash);
  });
  run.report.own++;
  return { kind: 'own' };
}

/** Opens a peer's batch and keeps the changes its capabilities allow; the alarm kind if it is bad. */
function openPeerBatch(run: PullRun, seq: number, env: Buffer, h: BatchHeader, peer: Peer): Change[] | string {
  try {
    const opened = openEnvelope(env, peer.signPk, run.s.vault.dataKeys.get(h.keyEpoch) as Uint8Array);
    if (h.prevHash !== peer.lastHash) {
      raise(run, 'fork', `device ${h.deviceId} batch ${h.deviceSeq} does not chain to the previous one`);
      return 'fork';
    }
    const changes = decodeChanges(opened.body);
    if (changes.some((c) => c.h < h.hlcMin || c.h > h.hlcMax))
      throw new Error('a change lies outside the batch clock range');
    // Capabilities are checked on every applied batch: changes the device may not make are dropped (and reported).
    const allowed = changes.filter((c) => mayChange(peer.caps, c, h.deviceId));
    if (allowed.length < changes.length)
      raise(
        run,
        'forbidden',
        `device ${h.deviceId} batch ${h.deviceSeq}: ${changes.length - allowed.length} change(s) beyond its capabilities ignored`,
      );
    return allowed;
  } catch (err) {
    raise(run, 'tampered', `device ${h.deviceId} batch ${h.deviceSeq} at seq ${seq}: ${(err as Error).message}`);
    return 'tampered';
  }
}

function batchClock(run: PullRun, h: BatchHeader): Hlc | undefined {
  try {
    return decodeHlc(h.hlcMax);
  } catch {
    raise(run, 'tampered', `device ${h.deviceId} batch ${h.deviceSeq}: bad clock`);
    return undefined;
  }
}

function applyPeer(run: PullRun, seq: number, env: Buffer, h: BatchHeader, hash: string, peer: Peer): BatchOutcome {
  const { db, s } = run;
  const changes = openPeerBatch(run, seq, env, h, peer);
  if (typeof changes === 'string') return rejected(changes);
  const max = batchClock(run, h);
  if (!max) return rejected('tampered');
  const now = s.clock.now();
  if (max.ms > now + MAX_DRIFT_MS) return parkFor('clock');
  const done = immediate(db, () => {
    // Another process (or a concurrent pull) may have applied it meanwhile: the database decides, exactly once.
    const lastSeq = stmt(db, 'SELECT last_seq FROM sync_peers WHERE device_id = ?').pluck().get(h.deviceId) as number;
    if (lastSeq !== h.deviceSeq - 1) return false;
    const stats = run.apply({ db, now, from: h.deviceId, relaySeq: seq }, changes);
    stmt(db, 'UPDATE sync_peers SET last_seq = ?, last_hash = ? WHERE device_id = ?').run(
      h.deviceSeq,
      hash,
      h.deviceId,
    );
    advance(run, seq, hash);
    markSeen(run, h, hash);
    const last = getMeta(db, 'hlc_last');
    setMeta(db, 'hlc_last', encodeHlc(receiveHlc(last ? decodeHlc(last) : undefined, max, now, s.deviceId)));
    run.report.changes += stats.applied;
    return true;
  });
  if (!done) return DUPLICATE;
  peer.lastSeq = h.deviceSeq;
  peer.lastHash = hash;
  run.report.applied++;
  return { kind: 'applied' };
}
