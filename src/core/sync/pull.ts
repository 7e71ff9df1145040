/**
 * Pull (sync.md, "Push and pull"): pages through the relay log from the last applied seq and, per batch, verifies the
 * signature against the verified device log, checks deviceSeq continuity and the prevHash chain, decrypts, checks the
 * inner header and the clock, and applies — changes, peer position and cursor in one transaction. Out-of-order
 * batches are buffered, batches from unknown devices, unknown key epochs or newer envelope versions are parked (kept,
 * never dropped), and anything a misbehaving relay could do raises an alarm shown by `progeny sync status`.
 */
import { stmt } from './stmt.js';
import { ProgenyError } from '../errors.js';
import { getMeta, immediate, setMeta } from '../store/db.js';
import { createApplier } from './apply.js';
import { decodeChanges, type Change } from './changes.js';
import { alarm, metaNum, setMetaNum, type SyncRunOptions, type SyncSession } from './context.js';
import { ENVELOPE_VERSION, envelopeHash, openEnvelope, parseEnvelope, type BatchHeader } from './envelope.js';
import { decodeHlc, encodeHlc, MAX_DRIFT_MS, receiveHlc } from './hlc.js';
import { fetchEpoch, loadPeers, refreshPeers, type Peer } from './peers.js';
import { loadSnapshot } from './snapshot.js';

export interface PullReport {
  applied: number;
  changes: number;
  own: number;
  parked: number;
  alarms: string[];
  cursor: number;
  head: number;
}

interface Page {
  items: { seq: number; envelope: string }[];
  head: number;
  done: boolean;
  deviceLog?: number;
}

/** Which capability a change needs (domain.md, device permissions). */
export function mayChange(caps: string[], c: Change, from: string): boolean {
  if (caps.includes('admin') || c.c === 'sync') return true;
  if (c.c === 'memory') return caps.includes('memory:write');
  if (c.c === 'limbic' || c.c === 'heritage') return caps.includes('state:write');
  if (c.c === 'message') return caps.includes('chat');
  return c.c === 'device' && c.i === from && c.f !== 'capabilities' && c.f !== 'revoked';
}

const cursorPosts = new Map<string, { seq: number; at: number }>();

export async function pull(s: SyncSession, opts: SyncRunOptions = {}): Promise<PullReport> {
  const { db } = s;
  const signal = opts.signal;
  let peers = loadPeers(s);
  const apply = createApplier(db);
  const report: PullReport = {
    applied: 0,
    changes: 0,
    own: 0,
    parked: 0,
    alarms: [],
    cursor: metaNum(db, 'sync_cursor'),
    head: 0,
  };
  const raise = (kind: string, detail: string): void => {
    alarm(db, s.clock.now(), kind, detail);
    report.alarms.push(`${kind}: ${detail}`);
  };
  const park = (seq: number, h: BatchHeader | undefined, reason: string, env: Buffer): void => {
    stmt(
      db,
      'INSERT OR IGNORE INTO sync_parked (relay_seq, device_id, device_seq, reason, envelope) VALUES (?, ?, ?, ?, ?)',
    ).run(seq, h?.deviceId ?? '', h?.deviceSeq ?? 0, reason, env);
    report.parked++;
  };
  let pageHead = 0;
  let stamped = false;
  /** Inside each write transaction of the pull: the head watermark and the pull time ride along (no extra commit). */
  const stamp = (): void => {
    setMetaNum(db, 'sync_head_max', Math.max(metaNum(db, 'sync_head_max'), pageHead));
    setMetaNum(db, 'sync_last_pull', s.clock.now());
    stamped = true;
  };
  const advance = (seq: number): void => {
    stamp();
    if (seq <= report.cursor) return; // parked batches drained later sit below the cursor already
    setMetaNum(db, 'sync_cursor', seq);
    report.cursor = seq;
  };
  let refreshed = true;

  /** Tries to apply one batch; returns a park reason, 'skip' (rejected, alarm raised) or 'ok'. */
  const process = async (seq: number, env: Buffer, fromParked: boolean): Promise<string> => {
    let h: BatchHeader;
    try {
      h = parseEnvelope(env).header;
    } catch (err) {
      raise('tampered', `batch at seq ${seq}: ${(err as Error).message}`);
      return 'skip';
    }
    if (h.vaultId !== s.vault.vaultId) {
      raise('forged', `batch at seq ${seq} names another vault`);
      return 'skip';
    }
    if (h.v > ENVELOPE_VERSION) return 'version';
    const hash = envelopeHash(env);
    if (h.deviceId === s.vault.deviceId) return own(seq, h, hash);
    let peer = peers.get(h.deviceId);
    if (!peer && !refreshed) {
      peers = loadPeers(s, (await refreshPeers(s, signal)).devices);
      refreshed = true;
      peer = peers.get(h.deviceId);
    }
    if (!peer) return 'unknown-device';
    if (peer.status === 'revoked' && h.deviceSeq > (peer.upTo ?? 0)) {
      raise('revoked', `batch ${h.deviceSeq} of revoked device ${h.deviceId} rejected`);
      return 'skip';
    }
    if (h.deviceSeq <= peer.lastSeq) {
      const seen = stmt(db, 'SELECT hash FROM sync_seen WHERE device_id = ? AND device_seq = ?')
        .pluck()
        .get(h.deviceId, h.deviceSeq) as string | undefined;
      if (seen !== hash)
        raise('equivocation', `device ${h.deviceId} batch ${h.deviceSeq} differs from the one applied`);
      else if (!fromParked) raise('replay', `batch ${h.deviceSeq} of device ${h.deviceId} served again at seq ${seq}`);
      return 'skip';
    }
    if (h.deviceSeq > peer.lastSeq + 1) return 'gap';
    if (!s.vault.dataKeys.has(h.keyEpoch) && !(await fetchEpoch(s, h.keyEpoch, signal))) return 'keys';
    return applyBatch(seq, env, h, hash, peer);
  };

  const own = (seq: number, h: BatchHeader, hash: string): string => {
    const mine = stmt(db, 'SELECT hash, outbox_max FROM sync_batches WHERE device_seq = ?').get(h.deviceSeq) as
      { hash: string; outbox_max: number } | undefined;
    const seen = stmt(db, 'SELECT hash FROM sync_seen WHERE device_id = ? AND device_seq = ?')
      .pluck()
      .get(h.deviceId, h.deviceSeq) as string | undefined;
    if ((mine && mine.hash !== hash) || (seen && seen !== hash) || (!mine && !seen)) {
      raise('forged', `a batch ${h.deviceSeq} in this device's name that it did not seal`);
      return 'skip';
    }
    immediate(db, () => {
      if (mine) {
        // Outbox rows are dropped only once their batch is seen in a pull.
        stmt(db, 'DELETE FROM outbox WHERE seq <= ?').run(mine.outbox_max);
        stmt(db, 'DELETE FROM sync_batches WHERE device_seq <= ?').run(h.deviceSeq);
        stmt(db, 'INSERT OR IGNORE INTO sync_seen (device_id, device_seq, hash) VALUES (?, ?, ?)').run(
          h.deviceId,
          h.deviceSeq,
          hash,
        );
      }
      advance(seq);
    });
    report.own++;
    return 'ok';
  };

  const applyBatch = (seq: number, env: Buffer, h: BatchHeader, hash: string, peer: Peer): string => {
    let changes;
    try {
      const opened = openEnvelope(env, peer.signPk, s.vault.dataKeys.get(h.keyEpoch) as Uint8Array);
      if (h.prevHash !== peer.lastHash) {
        raise('fork', `device ${h.deviceId} batch ${h.deviceSeq} does not chain to the previous one`);
        return 'skip';
      }
      changes = decodeChanges(opened.body);
      if (changes.some((c) => c.h < h.hlcMin || c.h > h.hlcMax))
        throw new Error('a change lies outside the batch clock range');
      // Capabilities are checked on every applied batch: changes the device may not make are dropped (and reported).
      const allowed = changes.filter((c) => mayChange(peer.caps, c, h.deviceId));
      if (allowed.length < changes.length)
        raise(
          'forbidden',
          `device ${h.deviceId} batch ${h.deviceSeq}: ${changes.length - allowed.length} change(s) beyond its capabilities ignored`,
        );
      changes = allowed;
    } catch (err) {
      raise('tampered', `device ${h.deviceId} batch ${h.deviceSeq} at seq ${seq}: ${(err as Error).message}`);
      return 'skip';
    }
    const now = s.clock.now();
    let max;
    try {
      max = decodeHlc(h.hlcMax);
    } catch {
      raise('tampered', `device ${h.deviceId} batch ${h.deviceSeq}: bad clock`);
      return 'skip';
    }
    if (max.ms > now + MAX_DRIFT_MS) return 'clock';
    const done = immediate(db, () => {
      // Another process (or a concurrent pull) may have applied it meanwhile: the database decides, exactly once.
      const lastSeq = stmt(db, 'SELECT last_seq FROM sync_peers WHERE device_id = ?').pluck().get(h.deviceId) as number;
      if (lastSeq !== h.deviceSeq - 1) return false;
      const stats = apply({ db, now, from: h.deviceId, relaySeq: seq }, changes);
      stmt(db, 'UPDATE sync_peers SET last_seq = ?, last_hash = ? WHERE device_id = ?').run(
        h.deviceSeq,
        hash,
        h.deviceId,
      );
      advance(seq);
      stmt(db, 'INSERT OR IGNORE INTO sync_seen (device_id, device_seq, hash) VALUES (?, ?, ?)').run(
        h.deviceId,
        h.deviceSeq,
        hash,
      );
      const last = getMeta(db, 'hlc_last');
      setMeta(db, 'hlc_last', encodeHlc(receiveHlc(last ? decodeHlc(last) : undefined, max, now, s.deviceId)));
      report.changes += stats.applied;
      return true;
    });
    if (!done) return 'skip';
    peer.lastSeq = h.deviceSeq;
    peer.lastHash = hash;
    report.applied++;
    return 'ok';
  };

  /** Retries parked batches whose reason may have cleared (gaps filled, keys fetched, clocks caught up). */
  const drainParked = async (): Promise<void> => {
    for (let progress = true; progress;) {
      progress = false;
      const rows = stmt(
        db,
        "SELECT relay_seq, envelope FROM sync_parked WHERE reason != 'version' ORDER BY device_id, device_seq",
      ).all() as { relay_seq: number; envelope: Buffer }[];
      for (const r of rows) {
        const out = await process(r.relay_seq, r.envelope, true);
        if (out === 'ok' || out === 'skip') {
          stmt(db, 'DELETE FROM sync_parked WHERE relay_seq = ?').run(r.relay_seq);
          progress = true;
        }
      }
    }
  };

  const maxHeadSeen = metaNum(db, 'sync_head_max');
  if (report.cursor === 0 && opts.snapshot !== false) {
    // A fresh device starts from the newest snapshot, then pulls only the log after it.
    if (peers.size === 0) peers = loadPeers(s, (await refreshPeers(s, signal)).devices);
    const at = await loadSnapshot(s, signal);
    if (at > 0) {
      report.cursor = at;
      peers = loadPeers(s, (await refreshPeers(s, signal)).devices);
      opts.onProgress?.({ phase: 'pull', done: at });
    }
  }
  for (let first = true; ; first = false) {
    signal?.throwIfAborted();
    const page = await s.relay.call<Page>(
      'GET',
      `/v1/sync/vaults/${s.vault.vaultId}/batches?after=${report.cursor}&limit=${opts.pageSize ?? 200}`,
      undefined,
      signal ? { signal } : {},
    );
    if (!Array.isArray(page.items) || !Number.isInteger(page.head))
      throw new ProgenyError('SYNC_BAD_RESPONSE', 'the relay sent a malformed page of batches', {});
    if (first) {
      // The device log is refetched (and re-verified) only when it changed, or when we know no peers yet.
      if (page.deviceLog !== metaNum(db, 'sync_devlog_n') || peers.size === 0)
        peers = loadPeers(s, (await refreshPeers(s, signal)).devices);
      refreshed = true;
      await drainParked();
      refreshed = false;
    }
    if (page.head < maxHeadSeen) raise('rollback', `the relay head went back from ${maxHeadSeen} to ${page.head}`);
    report.head = Math.max(report.head, page.head);
    pageHead = report.head;
    for (const item of page.items) {
      if (!Number.isInteger(item.seq) || item.seq <= report.cursor || typeof item.envelope !== 'string') {
        raise('reorder', `the relay served seq ${String(item.seq)} after ${report.cursor}`);
        continue;
      }
      const env = Buffer.from(item.envelope, 'base64');
      const out = await process(item.seq, env, false);
      if (out !== 'ok') {
        immediate(db, () => {
          if (out !== 'skip') park(item.seq, safeHeader(env), out, env);
          advance(item.seq);
        });
        if (out === 'gap' || out === 'keys') continue;
      } else if (report.applied > 0) await drainParked();
      opts.onProgress?.({ phase: 'pull', done: item.seq, total: page.head });
    }
    if (page.done || page.items.length === 0) break;
  }
  await drainParked();
  if (!stamped) immediate(db, stamp);
  const gaps = stmt(
    db,
    "SELECT device_id, min(device_seq) AS n FROM sync_parked WHERE reason = 'gap' GROUP BY device_id",
  ).all() as { device_id: string; n: number }[];
  for (const g of gaps) raise('gap', `batches of device ${g.device_id} before ${g.n} are missing from the relay`);
  // The acknowledged cursor is advisory (for compaction): posted at most every 30 s per process.
  const posted = cursorPosts.get(s.vault.vaultId);
  if (report.cursor > (posted?.seq ?? 0) && s.clock.now() - (posted?.at ?? 0) >= 30_000) {
    cursorPosts.set(s.vault.vaultId, { seq: report.cursor, at: s.clock.now() });
    await s.relay
      .call('POST', `/v1/sync/vaults/${s.vault.vaultId}/cursor`, { seq: report.cursor })
      .catch(() => undefined);
  }
  return report;
}

function safeHeader(env: Buffer): BatchHeader | undefined {
  try {
    return parseEnvelope(env).header;
  } catch {
    return undefined;
  }
}
