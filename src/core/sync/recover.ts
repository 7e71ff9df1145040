/**
 * The way out after an alarm (docs/sync.md, "Alarms and recovery"). Pulls never move past a refused batch, so once the
 * relay is repaired an ordinary pull resumes. When the relay's log itself changed — restored from a backup, sequence
 * numbers reused — `recover` forgets the alarms and where this device was, and reads the relay's log again as it is
 * now: from its newest verified snapshot (applied through the conflict rules like any batch), then every batch after
 * it. Batches this device has already applied are recognised by their device, number and hash, and skipped.
 */
import { immediate, setMeta } from '../store/db.js';
import type { SyncRunOptions, SyncSession } from './context.js';
import { loadPeers } from './peers.js';
import { pull, type PullReport } from './pull.js';

export interface RecoverReport {
  /** Alarms forgotten before reading the log again (any that still hold are raised again in `pull`). */
  cleared: number;
  pull: PullReport;
}

export async function recover(s: SyncSession, opts: SyncRunOptions = {}): Promise<RecoverReport> {
  const { db } = s;
  const cleared = immediate(db, () => {
    const n = db.prepare('DELETE FROM sync_alarms').run().changes;
    for (const k of ['sync_cursor', 'sync_head_max', 'sync_anchor', 'sync_stalled', 'sync_read_upto'])
      db.prepare('DELETE FROM meta WHERE key = ?').run(k);
    // Parked batches stay (they may be gone from the relay), numbered out of the way of the relay's seqs.
    db.prepare('UPDATE sync_parked SET relay_seq = -relay_seq WHERE relay_seq > 0').run();
    setMeta(db, 'sync_recovering', '1');
    return n;
  });
  const report = await pull(s, opts);
  await expectRepushes(s, opts.signal);
  return { cleared, pull: report };
}

/**
 * Batches this device applied that the relay no longer has (lost with a rollback) come back when their devices push
 * again, at new seqs: those are expected, not replays. Recorded per device as the highest such deviceSeq.
 */
async function expectRepushes(s: SyncSession, signal?: AbortSignal): Promise<void> {
  const { perDevice } = await s.relay.call<{ perDevice: Record<string, number> }>(
    'GET',
    `/v1/sync/vaults/${s.vault.vaultId}/head`,
    undefined,
    signal ? { signal } : {},
  );
  const expected: Record<string, number> = {};
  for (const p of loadPeers(s).values())
    if (p.deviceId !== s.vault.deviceId && p.lastSeq > (perDevice?.[p.deviceId] ?? 0)) expected[p.deviceId] = p.lastSeq;
  setMeta(s.db, 'sync_repush', JSON.stringify(expected));
}
