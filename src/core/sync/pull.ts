/**
 * Pull (docs/sync.md, "Push and pull"): pages through the relay log from the last applied seq and hands each batch to
 * processBatch (pull-batch.ts). Out-of-order batches are buffered, batches from unknown devices, unknown key epochs or
 * newer envelope versions are parked (kept, never dropped), and anything a misbehaving relay could do raises an alarm
 * shown by `progeny sync status`.
 */
import { ProgenyError } from '../errors.js';
import { immediate, setMeta, stmt } from '../store/db.js';
import { metaNum, type SyncRunOptions, type SyncSession } from './context.js';
import { envelopeHash, parseEnvelope, type BatchHeader } from './envelope.js';
import { loadPeers, refreshPeers, requireApproved } from './peers.js';
import { processBatch } from './pull-batch.js';
import { advance, anchor, park, raise, stamp, startRun, stopAt, type PullReport, type PullRun } from './pull-run.js';
import { loadSnapshot } from './snapshot.js';

export type { PullReport } from './pull-run.js';

interface Page {
  items: { seq: number; envelope: string }[];
  head: number;
  done: boolean;
  deviceLog?: number;
  /** The hash of the batch at `after` (null: the relay has none there); absent from relays before issue 12. */
  prev?: string | null;
}

/** The acknowledged cursor is advisory (for the relay's bookkeeping): posted at most this often per session. */
const CURSOR_POST_MS = 30_000;

export async function pull(s: SyncSession, opts: SyncRunOptions = {}): Promise<PullReport> {
  await requireApproved(s, 'pull', opts.signal);
  const run = startRun(s, loadPeers(s), opts.signal);
  const maxHeadSeen = run.recovering ? 0 : metaNum(s.db, 'sync_head_max');
  if (run.report.cursor === 0 && opts.snapshot !== false) await startFromSnapshot(run, opts);
  for (let first = true; !run.report.stalled; first = false) {
    run.signal?.throwIfAborted();
    const page = await fetchPage(run, opts.pageSize ?? 200);
    if (first) await refreshOnFirstPage(run, page);
    if (run.report.stalled || !samePast(run, page, maxHeadSeen)) break;
    run.report.head = Math.max(run.report.head, page.head);
    run.pageHead = run.report.head;
    for (const item of page.items) if (!(await takeItem(run, item, page.head, opts))) break;
    if (page.done || page.items.length === 0) break;
  }
  if (!run.report.stalled) await drainParked(run);
  finish(run);
  await postCursor(run);
  return run.report;
}

/**
 * Whether the relay's log is still the one this device read: its head has not gone back, and the batch at the cursor
 * is the one this device read there (a relay restored from a backup reuses sequence numbers). If not: an alarm, and
 * the pull stops (`progeny sync recover` re-reads the log as it is now).
 */
function samePast(run: PullRun, page: Page, maxHeadSeen: number): boolean {
  const { cursor } = run.report;
  if (page.head < maxHeadSeen) {
    raise(run, 'rollback', `the relay head went back from ${maxHeadSeen} to ${page.head}`);
    stopAt(run, cursor + 1, 'rollback');
    return false;
  }
  const at = anchor(run.db);
  if (page.prev === undefined || cursor === 0 || at?.seq !== cursor || page.prev === at.hash) return true;
  if (page.prev === null) raise(run, 'rollback', `the relay no longer has the batch at seq ${cursor}`);
  else raise(run, 'reuse', `the relay serves another batch at seq ${cursor} than the one this device read there`);
  stopAt(run, cursor + 1, page.prev === null ? 'rollback' : 'reuse');
  return false;
}

/** Writes the pull's outcome: the stamp, the stall (or its end), and an alarm per device with missing batches. */
function finish(run: PullRun): void {
  immediate(run.db, () => {
    if (!run.stamped) stamp(run);
    const stall = run.report.stalled;
    setMeta(run.db, 'sync_stalled', stall ? JSON.stringify(stall) : '');
    if (!stall && run.recovering) setMeta(run.db, 'sync_recovering', '');
  });
  if (!run.report.stalled) {
    reportGaps(run);
    resendLost(run);
  }
}

/**
 * This device's batches that the relay acknowledged at a seq the pull has read past without seeing them were lost (a
 * relay restored from a backup): they are sent again by the next push.
 */
function resendLost(run: PullRun): void {
  const lost = stmt(
    run.db,
    'SELECT device_seq FROM sync_batches WHERE relay_seq IS NOT NULL AND relay_seq <= ? ORDER BY device_seq',
  )
    .pluck()
    .all(run.report.cursor) as number[];
  if (!lost.length) return;
  raise(run, 'lost', `the relay lost batch(es) ${lost.join(', ')} of this device; they are sent again`);
  stmt(run.db, 'UPDATE sync_batches SET relay_seq = NULL WHERE relay_seq IS NOT NULL AND relay_seq <= ?').run(
    run.report.cursor,
  );
}

/** A fresh device starts from the newest snapshot, then pulls only the log after it. */
async function startFromSnapshot(run: PullRun, opts: SyncRunOptions): Promise<void> {
  const { s } = run;
  if (run.peers.size === 0) run.peers = loadPeers(s, (await refreshPeers(s, run.signal)).devices);
  const at = await loadSnapshot(s, run.signal);
  if (at <= 0) return;
  run.report.cursor = at;
  run.peers = loadPeers(s, (await refreshPeers(s, run.signal)).devices);
  opts.onProgress?.({ phase: 'pull', done: at });
}

async function fetchPage(run: PullRun, pageSize: number): Promise<Page> {
  const { s } = run;
  const page = await s.relay.call<Page>(
    'GET',
    `/v1/sync/vaults/${s.vault.vaultId}/batches?after=${run.report.cursor}&limit=${pageSize}`,
    undefined,
    run.signal ? { signal: run.signal } : {},
  );
  if (!Array.isArray(page.items) || !Number.isInteger(page.head))
    throw new ProgenyError('SYNC_BAD_RESPONSE', 'the relay sent a malformed page of batches');
  return page;
}

/** The device log is refetched (and re-verified) only when it changed, or when we know no peers yet. */
async function refreshOnFirstPage(run: PullRun, page: Page): Promise<void> {
  if (page.deviceLog !== metaNum(run.db, 'sync_devlog_n') || run.peers.size === 0)
    run.peers = loadPeers(run.s, (await refreshPeers(run.s, run.signal)).devices);
  run.refreshed = true;
  await drainParked(run);
  run.refreshed = false;
}

/** One item of a page: processed, then the cursor moves past it, unless it was refused (false: the pull stops). */
async function takeItem(
  run: PullRun,
  item: { seq: number; envelope: string },
  head: number,
  opts: SyncRunOptions,
): Promise<boolean> {
  if (!Number.isInteger(item.seq) || item.seq <= run.report.cursor || typeof item.envelope !== 'string') {
    raise(run, 'reorder', `the relay served seq ${String(item.seq)} after ${run.report.cursor}`);
    return true;
  }
  const env = Buffer.from(item.envelope, 'base64');
  const hash = envelopeHash(env);
  const out = await processBatch(run, item.seq, env, hash, false);
  switch (out.kind) {
    case 'applied':
      await drainParked(run);
      break;
    case 'own':
      if (run.report.applied > 0) await drainParked(run);
      break;
    case 'duplicate':
      immediate(run.db, () => advance(run, item.seq, hash));
      break;
    case 'rejected':
      stopAt(run, item.seq, out.alarm);
      return false;
    case 'park':
      immediate(run.db, () => {
        park(run, item.seq, safeHeader(env), out.reason, env);
        advance(run, item.seq, hash);
      });
      if (out.reason === 'gap' || out.reason === 'keys') return true;
      break;
    default:
      return unreachable(out);
  }
  opts.onProgress?.({ phase: 'pull', done: item.seq, total: head });
  return !run.report.stalled;
}

function unreachable(x: never): never {
  throw new Error(`unhandled batch outcome ${JSON.stringify(x)}`);
}

/**
 * Retries parked batches whose reason may have cleared (gaps filled, keys fetched, clocks caught up). One that turns
 * out bad stops the pull and moves the cursor back before it: the relay's copy is read again by the next pull.
 */
async function drainParked(run: PullRun): Promise<void> {
  const { db } = run;
  for (let progress = true; progress && !run.report.stalled;) {
    progress = false;
    const rows = stmt(
      db,
      "SELECT relay_seq, envelope FROM sync_parked WHERE reason != 'version' ORDER BY device_id, device_seq",
    ).all() as { relay_seq: number; envelope: Buffer }[];
    for (const r of rows) {
      const out = await processBatch(run, r.relay_seq, r.envelope, envelopeHash(r.envelope), true);
      if (out.kind === 'park') continue;
      stmt(db, 'DELETE FROM sync_parked WHERE relay_seq = ?').run(r.relay_seq);
      progress = true;
      if (out.kind === 'rejected') {
        stopAt(run, r.relay_seq, out.alarm);
        return;
      }
    }
  }
}

function reportGaps(run: PullRun): void {
  const gaps = stmt(
    run.db,
    "SELECT device_id, min(device_seq) AS n FROM sync_parked WHERE reason = 'gap' GROUP BY device_id",
  ).all() as { device_id: string; n: number }[];
  for (const g of gaps) raise(run, 'gap', `batches of device ${g.device_id} before ${g.n} are missing from the relay`);
}

/** Tells the relay how far this device has read, at most every CURSOR_POST_MS per session (best effort). */
async function postCursor(run: PullRun): Promise<void> {
  const { s, report } = run;
  const posted = s.cursorPost;
  if (report.cursor <= (posted?.seq ?? 0) || s.clock.now() - (posted?.at ?? 0) < CURSOR_POST_MS) return;
  s.cursorPost = { seq: report.cursor, at: s.clock.now() };
  await s.relay
    .call('POST', `/v1/sync/vaults/${s.vault.vaultId}/cursor`, { seq: report.cursor })
    .catch(() => undefined);
}

function safeHeader(env: Buffer): BatchHeader | undefined {
  try {
    return parseEnvelope(env).header;
  } catch {
    return undefined;
  }
}
