/**
 * The vault's device log (docs/sync.md, "The device log"): a signed operation log. The genesis entry adds the creating device and
 * is countersigned by the vault's join key (derived from the root key, so only a passphrase holder can make it);
 * every later `add`, `caps` (set capabilities) or `revoke` must be signed by an admin device that is active at that point. Both the relay (to
 * authenticate requests) and every client (to know whose batches to trust) replay it with the same code.
 */
import { fromB64, signBytes, verifyBytes } from './crypto.js';
import { ProgenyError } from '../errors.js';
import { act } from '../hints.js';

export type DeviceOpKind = 'genesis' | 'add' | 'caps' | 'revoke';

export interface DeviceOp {
  op: DeviceOpKind;
  /** The device the operation is about. */
  id: string;
  signPk: string;
  boxPk: string;
  name: string;
  caps: string[];
  /** revoke: the last deviceSeq of the revoked device that stays valid. */
  upTo?: number;
  /** The signing device (genesis: itself). */
  by: string;
  at: number;
  sig: string;
  /** genesis and joins: signature by the vault join key. */
  joinSig?: string;
}

export interface LogDevice {
  id: string;
  signPk: Uint8Array;
  boxPk: Uint8Array;
  name: string;
  caps: string[];
  status: 'active' | 'revoked';
  upTo: number | null;
}

export function opMessage(op: Omit<DeviceOp, 'sig' | 'joinSig'> | DeviceOp): Uint8Array {
  const { op: kind, id, signPk, boxPk, name, caps, upTo, by, at } = op;
  return Buffer.from(`progeny/devop\0${JSON.stringify([kind, id, signPk, boxPk, name, caps, upTo ?? null, by, at])}`);
}

export function signOp(op: Omit<DeviceOp, 'sig' | 'joinSig'>, signSk: Uint8Array, joinSk?: Uint8Array): DeviceOp {
  const msg = opMessage(op);
  const out: DeviceOp = { ...op, sig: Buffer.from(signBytes(msg, signSk)).toString('base64') };
  if (joinSk) out.joinSig = Buffer.from(signBytes(msg, joinSk)).toString('base64');
  return out;
}

const bad = (why: string): Error =>
  new ProgenyError('SYNC_DEVICE_LOG', `the vault's device log is invalid: ${why}`, {
    hint: 'the relay may be tampering; the sync status has the details',
    actions: [act('sync.status')],
  });

function sigOk(op: DeviceOp, field: 'sig' | 'joinSig', pk: Uint8Array): boolean {
  const s = op[field];
  if (typeof s !== 'string') return false;
  try {
    return verifyBytes(opMessage(op), fromB64(s), pk);
  } catch {
    return false;
  }
}

/** Replays the log and returns the devices it establishes; throws on any invalid entry. */
export function replayDeviceLog(ops: DeviceOp[], joinPk: Uint8Array): Map<string, LogDevice> {
  const devices = new Map<string, LogDevice>();
  ops.forEach((op, i) => {
    if (!op || typeof op !== 'object' || typeof op.id !== 'string' || !Array.isArray(op.caps))
      throw bad(`entry ${i} is malformed`);
    let signPk: Uint8Array;
    let boxPk: Uint8Array;
    try {
      signPk = fromB64(op.signPk, 32);
      boxPk = fromB64(op.boxPk, 32);
    } catch {
      throw bad(`entry ${i} has bad keys`);
    }
    if (i === 0) {
      if (op.op !== 'genesis' || op.by !== op.id) throw bad('the first entry is not a genesis');
      if (!sigOk(op, 'sig', signPk) || !sigOk(op, 'joinSig', joinPk))
        throw bad('the genesis signature does not verify');
      devices.set(op.id, { id: op.id, signPk, boxPk, name: op.name, caps: op.caps, status: 'active', upTo: null });
      return;
    }
    const signer = devices.get(op.by);
    if (!signer || signer.status !== 'active' || !signer.caps.includes('admin'))
      throw bad(`entry ${i} is not signed by an active admin device`);
    if (!sigOk(op, 'sig', signer.signPk)) throw bad(`entry ${i} has a bad signature`);
    if (op.op === 'add') {
      const prev = devices.get(op.id);
      if (prev?.status === 'revoked') throw bad(`entry ${i} re-adds a revoked device`);
      devices.set(op.id, { id: op.id, signPk, boxPk, name: op.name, caps: op.caps, status: 'active', upTo: null });
    } else if (op.op === 'caps') {
      const target = devices.get(op.id);
      if (!target || target.status !== 'active')
        throw bad(`entry ${i} sets capabilities of an unknown or revoked device`);
      devices.set(op.id, { ...target, caps: op.caps });
    } else if (op.op === 'revoke') {
      // Revocation wins and is permanent. A device never added (a pending join) is banned with the keys it asked with.
      const target = devices.get(op.id) ?? { id: op.id, signPk, boxPk, name: op.name, caps: [], upTo: 0 };
      devices.set(op.id, {
        ...target,
        status: 'revoked',
        upTo: target.upTo === null ? (op.upTo ?? 0) : Math.min(target.upTo, op.upTo ?? 0),
      });
    } else throw bad(`entry ${i} has an unknown operation`);
  });
  return devices;
}

/** A join request: the new device's keys signed by itself and by the join key (proof of the passphrase). */
export function verifyJoin(op: DeviceOp, joinPk: Uint8Array): boolean {
  try {
    return (
      op.op === 'add' && op.by === op.id && sigOk(op, 'sig', fromB64(op.signPk, 32)) && sigOk(op, 'joinSig', joinPk)
    );
  } catch {
    return false;
  }
}
