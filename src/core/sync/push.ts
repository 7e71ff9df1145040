/**
 * Push: seal the outbox, then send unsent batches in deviceSeq order (≤ 64 envelopes / 1 MiB per request), retrying
 * network errors, 5xx and 429 within a time budget. The relay answers each envelope with its seq (or dup for a batch
 * it already has, so a lost response is harmless). When the budget runs out, the error carries the pending count.
 */
import { ProgenyError } from '../errors.js';
import { immediate } from '../store/db.js';
import { alarm, setMetaNum, type SyncRunOptions, type SyncSession } from './context.js';
import { requireApproved } from './peers.js';
import { sealOutbox } from './seal.js';
import { RelayHttpError, withRelayRetry } from './transport.js';
import type { PushReport } from './api.js';
import { act } from '../hints.js';
export { type PushReport } from './api.js';

const MAX_ENVELOPES = 64;
const MAX_BYTES = 1024 * 1024 - 64 * 1024;

export async function push(s: SyncSession, opts: SyncRunOptions = {}): Promise<PushReport> {
  const { db } = s;
  await requireApproved(s, 'push', opts.signal);
  opts.onProgress?.({ phase: 'seal', done: 0 });
  const sealed = sealOutbox(s).batches;
  const report: PushReport = { sealed, sent: 0, duplicates: 0, pending: 0 };
  const unsent = (): { device_seq: number; envelope: Buffer }[] =>
    db.prepare('SELECT device_seq, envelope FROM sync_batches WHERE relay_seq IS NULL ORDER BY device_seq').all() as {
      device_seq: number;
      envelope: Buffer;
    }[];
  let rows = unsent();
  const total = rows.length;
  const retry = {
    budgetMs: opts.budgetMs ?? 60_000,
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(s.sleep ? { sleep: s.sleep } : {}),
    ...(s.random ? { random: s.random } : {}),
    now: () => s.clock.now(),
  };
  try {
    while (rows.length > 0) {
      const chunk: typeof rows = [];
      let bytes = 0;
      for (const r of rows) {
        if (chunk.length >= MAX_ENVELOPES || (chunk.length > 0 && bytes + r.envelope.length * 1.34 > MAX_BYTES)) break;
        chunk.push(r);
        bytes += r.envelope.length * 1.34;
      }
      let res: { results: { seq: number; dup?: boolean }[] };
      try {
        res = await withRelayRetry(
          () =>
            s.relay.call(
              'POST',
              `/v1/sync/vaults/${s.vault.vaultId}/batches`,
              { envelopes: chunk.map((r) => r.envelope.toString('base64')) },
              opts.signal ? { signal: opts.signal } : {},
            ),
          retry,
        );
      } catch (err) {
        if (err instanceof RelayHttpError && err.code === 'SYNC_SEQ_GAP') {
          recordResults(s, chunk, (err.details.results ?? []) as { seq: number }[]);
          handleGap(s, Number(err.details.expectedDeviceSeq), chunk[0]?.device_seq ?? 0);
          rows = unsent();
          continue;
        }
        throw err;
      }
      if (!Array.isArray(res.results) || res.results.length !== chunk.length)
        throw new Error('the relay answered a push with the wrong number of results');
      const counts = recordResults(s, chunk, res.results);
      report.sent += counts.sent;
      report.duplicates += counts.dup;
      opts.onProgress?.({ phase: 'push', done: report.sent + report.duplicates, total });
      rows = unsent();
    }
  } catch (err) {
    report.pending = unsent().length;
    if (err instanceof ProgenyError && !(err instanceof RelayHttpError && err.status < 500 && err.status !== 429)) {
      throw new ProgenyError(err.code, `${err.message}; ${report.pending} batch(es) still pending`, {
        cause: err,
        ...(err.hint !== undefined
          ? { hint: err.hint, actions: [...err.actions] }
          : { hint: 'push again later', actions: [act('sync.push')] }),
        details: { pending: report.pending },
      });
    }
    throw err;
  }
  return report;
}

function recordResults(
  s: SyncSession,
  chunk: { device_seq: number }[],
  results: { seq: number; dup?: boolean }[],
): { sent: number; dup: number } {
  let sent = 0;
  let dup = 0;
  immediate(s.db, () => {
    setMetaNum(s.db, 'sync_last_push', s.clock.now());
    results.forEach((r, i) => {
      const row = chunk[i];
      if (!row || !Number.isInteger(r?.seq)) return;
      s.db.prepare('UPDATE sync_batches SET relay_seq = ? WHERE device_seq = ?').run(r.seq, row.device_seq);
      if (r.dup) dup++;
      else sent++;
    });
  });
  return { sent, dup };
}

/** The relay expects a different deviceSeq than the batch we sent. */
function handleGap(s: SyncSession, expected: number, sentSeq: number): void {
  const { db } = s;
  if (Number.isInteger(expected) && expected < sentSeq) {
    // The relay lost batches it had acknowledged (rollback): resend them if we still hold them.
    const have = db.prepare('SELECT count(*) FROM sync_batches WHERE device_seq = ?').pluck().get(expected) as number;
    alarm(
      db,
      s.clock.now(),
      'rollback',
      `the relay expected deviceSeq ${expected} but had acknowledged up to ${sentSeq - 1}`,
    );
    if (have) {
      db.prepare('UPDATE sync_batches SET relay_seq = NULL WHERE device_seq >= ?').run(expected);
      return;
    }
  }
  throw new ProgenyError(
    'SYNC_SEQ_GAP',
    `the relay expects batch ${expected} from this device, but this device is at ${sentSeq}`,
    {
      hint: 'the relay or this home was restored from an older backup; check the alarms in the sync status',
      actions: [act('sync.status')],
    },
  );
}
