/**
 * Pull (docs/sync.md, "Push and pull"): pages through the relay log from the last applied seq and hands each batch to
 * processBatch (pull-batch.ts). Out-of-order batches are buffered, batches from unknown devices, unknown key epochs or
 * newer envelope versions are parked (kept, never dropped), and anything a misbehaving relay could do raises an alarm
 * shown by `progeny sync status`.
 */
import { ProgenyError } from '../errors.js';
import { immediate, stmt } from '../store/db.js';
import { metaNum, type SyncRunOptions, type SyncSession } from './context.js';
import { parseEnvelope, type BatchHeader } from './envelope.js';
import { loadPeers, refreshPeers, requireApproved } from './peers.js';
import { processBatch } from './pull-batch.js';
import { advance, park, raise, stamp, startRun, type PullReport, type PullRun } from './pull-run.js';
import { loadSnapshot } from './snapshot.js';

export type { PullReport } from './pull-run.js';

interface Page {
  items: { seq: number; envelope: string }[];
  head: number;
  done: boolean;
  deviceLog?: number;
}

/** The acknowledged cursor is advisory (for the relay's bookkeeping): posted at most this often per session. */
const CURSOR_POST_MS = 30_000;

export async function pull(s: SyncSession, opts: SyncRunOptions = {}): Promise<PullReport> {
  await requireApproved(s, 'pull', opts.signal);
  const run = startRun(s, loadPeers(s), opts.signal);
  const maxHeadSeen = metaNum(s.db, 'sync_head_max');
  if (run.report.cursor === 0 && opts.snapshot !== false) await startFromSnapshot(run, opts);
  for (let first = true; ; first = false) {
    run.signal?.throwIfAborted();
    const page = await fetchPage(run, opts.pageSize ?? 200);
    if (first) await refreshOnFirstPage(run, page);
    if (page.head < maxHeadSeen) raise(run, 'rollback', `the relay head went back from ${maxHeadSeen} to ${page.head}`);
    run.report.head = Math.max(run.report.head, page.head);
    run.pageHead = run.report.head;
    for (const item of page.items) await takeItem(run, item, page.head, opts);
    if (page.done || page.items.length === 0) break;
  }
  await drainParked(run);
  if (!run.stamped) immediate(s.db, () => stamp(run));
  reportGaps(run);
  await postCursor(run);
  return run.report;
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

/** One item of a page: processed, then the cursor moves past it (parked batches are kept locally). */
async function takeItem(
  run: PullRun,
  item: { seq: number; envelope: string },
  head: number,
  opts: SyncRunOptions,
): Promise<void> {
  if (!Number.isInteger(item.seq) || item.seq <= run.report.cursor || typeof item.envelope !== 'string') {
    raise(run, 'reorder', `the relay served seq ${String(item.seq)} after ${run.report.cursor}`);
    return;
  }
  const env = Buffer.from(item.envelope, 'base64');
  const out = await processBatch(run, item.seq, env, false);
  switch (out.kind) {
    case 'applied':
      await drainParked(run);
      break;
    case 'own':
      if (run.report.applied > 0) await drainParked(run);
      break;
    case 'done-elsewhere':
    case 'rejected':
      immediate(run.db, () => advance(run, item.seq));
      break;
    case 'park':
      immediate(run.db, () => {
        park(run, item.seq, safeHeader(env), out.reason, env);
        advance(run, item.seq);
      });
      if (out.reason === 'gap' || out.reason === 'keys') return;
      break;
    default:
      return unreachable(out);
  }
  opts.onProgress?.({ phase: 'pull', done: item.seq, total: head });
}

function unreachable(x: never): never {
  throw new Error(`unhandled batch outcome ${JSON.stringify(x)}`);
}

/** Retries parked batches whose reason may have cleared (gaps filled, keys fetched, clocks caught up). */
async function drainParked(run: PullRun): Promise<void> {
  const { db } = run;
  for (let progress = true; progress;) {
    progress = false;
    const rows = stmt(
      db,
      "SELECT relay_seq, envelope FROM sync_parked WHERE reason != 'version' ORDER BY device_id, device_seq",
    ).all() as { relay_seq: number; envelope: Buffer }[];
    for (const r of rows) {
      const out = await processBatch(run, r.relay_seq, r.envelope, true);
      if (out.kind !== 'park') {
        stmt(db, 'DELETE FROM sync_parked WHERE relay_seq = ?').run(r.relay_seq);
        progress = true;
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
