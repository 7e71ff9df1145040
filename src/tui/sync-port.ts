/** What /sync needs from the sync layer; the chat screen works without it (sync not set up). */
import type { EngineSync } from '../core/sync/index.js';

export interface SyncStatus {
  configured: boolean;
  relay?: string;
  pending?: number;
  lastSyncAt?: number | null;
  detail?: string;
}

export interface SyncResult {
  pushed?: number;
  pulled?: number;
  detail?: string;
}

export interface SyncPort {
  status(): Promise<SyncStatus> | SyncStatus;
  push(): Promise<SyncResult>;
  pull(): Promise<SyncResult>;
}

/** The engine's sync API (src/core/sync) seen through the port: what /sync shows. */
export function syncPortFrom(s: EngineSync): SyncPort {
  return {
    async status() {
      const st = await s.status();
      const last = Math.max(st.lastPushAt ?? 0, st.lastPullAt ?? 0) || null;
      const notes = [
        st.deviceStatus === 'pending' ? 'this device awaits approval' : '',
        st.conflicts ? `${st.conflicts} conflict(s)` : '',
        st.alarms.length ? `${st.alarms.length} alarm(s): ${st.alarms[st.alarms.length - 1]?.detail ?? ''}` : '',
        st.parked.length ? `${st.parked.reduce((n, p) => n + p.count, 0)} change(s) parked` : '',
      ].filter(Boolean);
      return {
        configured: st.configured,
        ...(st.relay ? { relay: st.relay } : {}),
        pending: st.pendingChanges,
        lastSyncAt: last,
        ...(notes.length ? { detail: notes.join('; ') } : {}),
      };
    },
    async push() {
      const r = await s.push();
      return { pushed: r.sealed, detail: `${r.sent} batch(es) sent${r.pending ? `, ${r.pending} still pending` : ''}` };
    },
    async pull() {
      const r = await s.pull();
      const notes = [r.parked ? `${r.parked} parked` : '', ...r.alarms].filter(Boolean);
      return { pulled: r.applied, ...(notes.length ? { detail: notes.join('; ') } : {}) };
    },
  };
}
