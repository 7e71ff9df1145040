/**
 * Peers and key epochs as this device knows them: the device log fetched from the relay is verified from its genesis
 * (checked against the join key from our own secrets) before anything in it is believed; key epochs come either from
 * the root key (passphrase holders) or boxed to this device by the admin that rotated them.
 */
import { logNameKey, openName } from './device-name.js';
import { ProgenyError } from '../errors.js';
import { getMeta, immediate, setMeta } from '../store/db.js';
import { setMetaNum } from './context.js';
import { fromB64, open, openBox, signKeysFromSeed, toB64 } from './crypto.js';
import { replayDeviceLog, type DeviceOp, type LogDevice } from './device-log.js';
import type { SyncSession } from './context.js';
import { saveVault } from './vault-state.js';
import { act } from '../hints.js';

export interface KeyRecord {
  /** seal(JSON {epoch: base64 DK}, VRK of this epoch). */
  keyring: string;
  /** deviceId → box(VRK ‖ joinSeed) from `from`, for rotations. */
  boxes?: Record<string, string>;
  from?: string;
}

export async function refreshPeers(
  s: SyncSession,
  signal?: AbortSignal,
): Promise<{ devices: Map<string, LogDevice>; pending: DeviceOp[] }> {
  const res = await s.relay.call<{ ops: DeviceOp[]; pending: DeviceOp[] }>(
    'GET',
    `/v1/sync/vaults/${s.vault.vaultId}/devices`,
    undefined,
    signal ? { signal } : {},
  );
  if (!Array.isArray(res.ops) || !Array.isArray(res.pending))
    throw new ProgenyError('SYNC_BAD_RESPONSE', 'the relay sent a malformed device log');
  const devices = replayDeviceLog(res.ops, s.vault.joinPk0);
  const nameKey = s.vault.joinSeed ? logNameKey(s.vault.joinSeed) : undefined;
  immediate(s.db, () => {
    const up = s.db.prepare(
      `INSERT INTO sync_peers (device_id, sign_pk, box_pk, name, caps, status) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT(device_id) DO UPDATE SET name = excluded.name, caps = excluded.caps,
         status = CASE WHEN sync_peers.status = 'revoked' THEN 'revoked' ELSE excluded.status END`,
    );
    for (const d of devices.values()) {
      const known = s.db.prepare('SELECT sign_pk FROM sync_peers WHERE device_id = ?').pluck().get(d.id) as
        Buffer | undefined;
      if (known && !Buffer.from(d.signPk).equals(known))
        throw new ProgenyError('SYNC_DEVICE_LOG', `the relay changed the keys of device ${d.id}`, {
          hint: 'the relay may be tampering; the sync status has the details',
          actions: [act('sync.status')],
        });
      const name = openName(d.name, nameKey);
      up.run(d.id, Buffer.from(d.signPk), Buffer.from(d.boxPk), name, JSON.stringify(d.caps), d.status);
    }
  });
  setMetaNum(s.db, 'sync_devlog_n', res.ops.length);
  // How far each revoked device's batches stay valid, for pulls that do not refetch the log.
  const upTo = Object.fromEntries([...devices.values()].filter((d) => d.upTo !== null).map((d) => [d.id, d.upTo]));
  setMeta(s.db, 'sync_revoked_upto', JSON.stringify(upTo));
  const me = devices.get(s.vault.deviceId);
  if (me?.status === 'active' && s.vault.status === 'pending') {
    s.vault.status = 'active';
    saveVault(s.paths, s.vault);
  }
  return { devices, pending: res.pending };
}

export interface Peer {
  deviceId: string;
  signPk: Uint8Array;
  boxPk: Uint8Array;
  caps: string[];
  status: string;
  lastSeq: number;
  lastHash: string;
  upTo: number | null;
}

export function loadPeers(s: SyncSession, log?: Map<string, LogDevice>): Map<string, Peer> {
  const upTo = JSON.parse(getMeta(s.db, 'sync_revoked_upto') ?? '{}') as Record<string, number>;
  const rows = s.db.prepare('SELECT * FROM sync_peers').all() as {
    device_id: string;
    sign_pk: Buffer;
    box_pk: Buffer;
    caps: string;
    status: string;
    last_seq: number;
    last_hash: string;
  }[];
  return new Map(
    rows.map((r) => [
      r.device_id,
      {
        deviceId: r.device_id,
        signPk: new Uint8Array(r.sign_pk),
        boxPk: new Uint8Array(r.box_pk),
        caps: JSON.parse(r.caps) as string[],
        status: r.status,
        lastSeq: r.last_seq,
        lastHash: r.last_hash,
        upTo: log ? (log.get(r.device_id)?.upTo ?? null) : (upTo[r.device_id] ?? null),
      },
    ]),
  );
}

export function openKeyring(record: KeyRecord, vrk: Uint8Array): Map<number, Uint8Array> | null {
  const plain = open(fromB64(record.keyring), vrk);
  if (!plain) return null;
  const j = JSON.parse(Buffer.from(plain).toString('utf8')) as Record<string, string>;
  return new Map(Object.entries(j).map(([e, k]) => [Number(e), fromB64(k, 32)]));
}

export const sealKeyringJson = (keys: Map<number, Uint8Array>): string =>
  JSON.stringify(Object.fromEntries([...keys].map(([e, k]) => [String(e), toB64(k)])));

/** Loads a key epoch this device lacks (after a rotation). Returns false if it cannot. */
export async function fetchEpoch(s: SyncSession, epoch: number, signal?: AbortSignal): Promise<boolean> {
  let rec: { epoch: number; record: KeyRecord };
  try {
    rec = await s.relay.call(
      'GET',
      `/v1/sync/vaults/${s.vault.vaultId}/keys/${epoch}`,
      undefined,
      signal ? { signal } : {},
    );
  } catch {
    return false;
  }
  let vrk: Uint8Array | null = null;
  let keys = openKeyring(rec.record, s.vault.vrk);
  if (!keys) {
    const boxed = rec.record.boxes?.[s.vault.deviceId];
    const from = rec.record.from;
    const sender = from ? loadPeers(s).get(from) : undefined;
    if (!boxed || !sender || !sender.caps.includes('admin')) return false;
    const plain = openBox(fromB64(boxed), sender.boxPk, s.vault.keys.boxSk);
    if (!plain || plain.length !== 64) return false;
    vrk = plain.subarray(0, 32);
    keys = openKeyring(rec.record, vrk);
    if (!keys) return false;
    const joinSeed = plain.subarray(32);
    // Rotations box the join seed too (zeros from devices that did not hold it): kept only if it is the vault's.
    if (Buffer.from(signKeysFromSeed(joinSeed).pk).equals(s.vault.joinPk0)) s.vault.joinSeed = joinSeed;
  }
  for (const [e, k] of keys) s.vault.dataKeys.set(e, k);
  if (vrk && epoch > s.vault.epoch) {
    s.vault.vrk = vrk;
    s.vault.epoch = epoch;
  } else if (epoch > s.vault.epoch && keys.has(epoch)) s.vault.epoch = epoch;
  saveVault(s.paths, s.vault);
  return s.vault.dataKeys.has(epoch);
}

/**
 * Throws SYNC_PENDING while an admin has not approved this device; once approved, loads the newest key epoch (a
 * pending device receives no keys: docs/sync.md, "The device log").
 */
export async function requireApproved(s: SyncSession, what: string, signal?: AbortSignal): Promise<void> {
  if (s.vault.status === 'pending') await refreshPeers(s, signal);
  if (s.vault.status === 'pending')
    throw new ProgenyError('SYNC_PENDING', `this device is waiting for approval, so it cannot ${what} yet`, {
      hint: 'approve it from an admin device',
      actions: [act('device.approve', { id: s.vault.deviceId })],
    });
  if (s.vault.dataKeys.has(s.vault.epoch)) return;
  const latest = await s.relay.call<{ epoch: number }>(
    'GET',
    `/v1/sync/vaults/${s.vault.vaultId}/keys/latest`,
    undefined,
    signal ? { signal } : {},
  );
  if (!Number.isInteger(latest.epoch) || !(await fetchEpoch(s, latest.epoch, signal)))
    throw new ProgenyError('SYNC_NO_KEYS', 'this device cannot open the vault’s keys', {
      hint: 'the keys were rotated after this device joined: join again with the current passphrase',
    });
}
