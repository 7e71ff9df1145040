/** `progeny sync status` says what to do after an alarm (issue 12, item 6). */
import { describe, expect, it } from 'vitest';
import type { SyncStatus } from '../../core/sync/index.js';
import type { View } from '../output.js';
import { recoveryAdvice, statusView } from './shared.js';

const base = {
  configured: true,
  relay: 'http://relay',
  vaultId: 'v',
  deviceId: 'd',
  deviceStatus: 'active',
  keyEpoch: 0,
  pendingChanges: 0,
  unsentBatches: 0,
  cursor: 6,
  head: 9,
  lastPushAt: null,
  lastPullAt: null,
  parked: [],
  conflicts: 0,
  devices: [],
} satisfies Omit<SyncStatus, 'alarms' | 'stalled'>;
const alarm = { at: 0, kind: 'tampered', detail: 'batch at seq 7: bad signature' };
const texts = (v: View): string => JSON.stringify(v);

describe('sync status advice', () => {
  it('a stalled pull names where it stops and both ways out', () => {
    const s: SyncStatus = { ...base, alarms: [alarm], stalled: { seq: 7, kind: 'tampered' } };
    const advice = recoveryAdvice(s) ?? '';
    expect(advice).toMatch(/stop before seq 7 \(tampered\)/);
    expect(advice).toMatch(/`progeny sync pull` resumes/);
    expect(advice).toMatch(/`progeny sync recover`/);
    expect(texts(statusView(s))).toContain('before seq 7 (tampered)');
    expect(texts(statusView(s))).toContain(advice);
  });

  it('alarms alone point at recover; no alarm, no advice', () => {
    expect(recoveryAdvice({ alarms: [alarm], stalled: null })).toMatch(/`progeny sync recover` clears the alarms/);
    expect(recoveryAdvice({ alarms: [], stalled: null })).toBeNull();
  });
});
