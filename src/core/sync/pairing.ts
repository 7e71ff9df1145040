/**
 * Pairing without the passphrase (docs/sync.md, "Pairing"). The new device shows a code (mailbox id + a secret) and its
 * public keys go through the relay's short-lived mailbox; the admin device checks them against the secret (the relay
 * never sees it), both screens show the same short authentication string, and the admin appends a signed
 * `device.add` and sends the vault keys boxed to the new device. A relay that swaps keys in the mailbox fails the
 * check and shows a different short string.
 */
import { openName, pairNameKey, sealLogName, sealName } from './device-name.js';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { ProgenyError } from '../errors.js';
import { CAPABILITIES } from '../devices/service.js';
import { boxTo, fromB64, newDeviceKeys, openBox, shortAuthString, toB64, type DeviceKeys } from './crypto.js';
import { signOp } from './device-log.js';
import type { SyncDeps, SyncSession } from './context.js';
import { refreshPeers } from './peers.js';
import { resetCursor, sessionFor, yieldLocalIdentity } from './setup.js';
import { createRelayClient, type RelayClient } from './transport.js';
import { saveVault, type VaultState } from './vault-state.js';
import { act } from '../hints.js';

const pairError = (msg: string, hint = 'start pairing again on the new device'): ProgenyError =>
  new ProgenyError('SYNC_PAIRING', msg, { hint });

const mac = (secret: Uint8Array, ...parts: string[]): string =>
  createHmac('sha256', secret).update(parts.join('\n')).digest('base64');
const macOk = (a: unknown, b: string): boolean =>
  typeof a === 'string' && a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

interface Hello {
  deviceId: string;
  name: string;
  signPk: string;
  boxPk: string;
  mac: string;
}

interface Welcome {
  vaultId: string;
  relay: string;
  adminId: string;
  adminSignPk: string;
  adminBoxPk: string;
  keys: string;
  mac: string;
}

export interface PairingStart {
  /** Shown on the new device, typed (or scanned) on the admin device. */
  code: string;
  /** Resolves once an admin accepted; returns the short authentication string to compare. */
  wait(opts?: { signal?: AbortSignal; timeoutMs?: number }): Promise<{ sas: string; session: SyncSession }>;
}

async function mailbox(
  relay: RelayClient,
  id: string,
  after: number,
  waitMs: number,
  signal?: AbortSignal,
): Promise<{ n: number; payload: string }[]> {
  const r = await relay.call<{ items: { n: number; payload: string }[] }>(
    'GET',
    `/v1/sync/pair/${id}?after=${after}&waitMs=${waitMs}`,
    undefined,
    { unsigned: true, ...(signal ? { signal } : {}) },
  );
  return Array.isArray(r.items) ? r.items : [];
}

export async function pairStart(
  deps: SyncDeps,
  relayUrl: string,
  name: string,
  signal?: AbortSignal,
): Promise<PairingStart> {
  const keys: DeviceKeys = newDeviceKeys();
  const id = randomBytes(16).toString('base64url');
  const secret = randomBytes(16);
  const relay = createRelayClient({ base: relayUrl, ...(deps.transport ? { transport: deps.transport } : {}) });
  const hello: Hello = {
    deviceId: deps.deviceId,
    name: sealName(name, pairNameKey(secret)),
    signPk: toB64(keys.signPk),
    boxPk: toB64(keys.boxPk),
    mac: '',
  };
  hello.mac = mac(secret, 'hello', hello.deviceId, hello.name, hello.signPk, hello.boxPk);
  await relay.call(
    'POST',
    `/v1/sync/pair/${id}`,
    { payload: JSON.stringify(hello) },
    { unsigned: true, ...(signal ? { signal } : {}) },
  );
  return {
    code: `${id}.${secret.toString('base64url')}`,
    async wait(o = {}) {
      const deadline = deps.clock.now() + (o.timeoutMs ?? 10 * 60_000);
      for (;;) {
        const items = await mailbox(relay, id, 1, 20_000, o.signal);
        const item = items.find((i) => i.n > 1);
        if (item) {
          const w = JSON.parse(item.payload) as Welcome;
          if (!macOk(w.mac, mac(secret, 'welcome', w.vaultId, w.relay, w.adminId, w.adminSignPk, w.adminBoxPk, w.keys)))
            throw pairError('the pairing reply does not match this pairing code (tampered with?)');
          const plain = openBox(fromB64(w.keys), fromB64(w.adminBoxPk, 32), keys.boxSk);
          if (!plain) throw pairError('cannot open the keys sent by the admin device');
          const k = JSON.parse(Buffer.from(plain).toString('utf8')) as {
            vrk: string;
            joinPk0: string;
            joinSeed?: string;
            epoch: number;
            dataKeys: Record<string, string>;
          };
          const vault: VaultState = {
            relay: relayUrl,
            vaultId: w.vaultId,
            deviceId: deps.deviceId,
            keys,
            vrk: fromB64(k.vrk, 32),
            joinPk0: fromB64(k.joinPk0, 32),
            ...(k.joinSeed === undefined ? {} : { joinSeed: fromB64(k.joinSeed, 32) }),
            epoch: k.epoch,
            dataKeys: new Map(Object.entries(k.dataKeys).map(([e, v]) => [Number(e), fromB64(v, 32)])),
            status: 'active',
          };
          saveVault(deps.paths, vault);
          yieldLocalIdentity(deps);
          resetCursor(deps);
          const session = sessionFor(deps, vault);
          await refreshPeers(session, o.signal);
          return { sas: shortAuthString(keys.signPk, fromB64(w.adminSignPk, 32), secret), session };
        }
        if (deps.clock.now() > deadline) throw pairError('no admin device accepted the pairing in time');
      }
    },
  };
}

/** On an admin device: checks the new device's keys against the code, asks the human to compare, admits it. */
export async function pairAccept(
  s: SyncSession,
  code: string,
  confirm: (sas: string, name: string) => Promise<boolean>,
  signal?: AbortSignal,
): Promise<{ deviceId: string; sas: string }> {
  const m = /^([A-Za-z0-9_-]{16,64})\.([A-Za-z0-9_-]{16,64})$/.exec(code.trim());
  if (!m)
    throw new ProgenyError('USAGE', 'that is not a pairing code', {
      hint: 'copy the code that pairing shows on the new device',
      actions: [act('device.pair')],
    });
  const [, id, secretText] = m as unknown as [string, string, string];
  const secret = Buffer.from(secretText, 'base64url');
  const items = await mailbox(s.relay, id, 0, 0, signal);
  const first = items.find((i) => i.n === 1);
  if (!first) throw pairError('no pairing request under that code (expired?)');
  const h = JSON.parse(first.payload) as Hello;
  if (!macOk(h.mac, mac(secret, 'hello', h.deviceId, h.name, h.signPk, h.boxPk)))
    throw pairError(
      'the keys in the mailbox do not match the pairing code: someone tampered with them',
      'do not pair; check the relay',
    );
  const sas = shortAuthString(fromB64(h.signPk, 32), s.vault.keys.signPk, secret);
  const name = openName(h.name, pairNameKey(secret));
  if (!(await confirm(sas, name)))
    throw pairError('pairing not confirmed; nothing changed', 'compare the short strings on both screens');
  await refreshPeers(s, signal);
  const op = signOp(
    {
      op: 'add',
      id: h.deviceId,
      signPk: h.signPk,
      boxPk: h.boxPk,
      name: sealLogName(name, s.vault.joinSeed),
      caps: CAPABILITIES.filter((c) => c !== 'admin'),
      by: s.vault.deviceId,
      at: s.clock.now(),
    },
    s.vault.keys.signSk,
  );
  await s.relay.call('POST', `/v1/sync/vaults/${s.vault.vaultId}/devices`, { op }, signal ? { signal } : {});
  const keys = JSON.stringify({
    vrk: toB64(s.vault.vrk),
    joinPk0: toB64(s.vault.joinPk0),
    ...(s.vault.joinSeed ? { joinSeed: toB64(s.vault.joinSeed) } : {}),
    epoch: s.vault.epoch,
    dataKeys: Object.fromEntries([...s.vault.dataKeys].map(([e, k]) => [String(e), toB64(k)])),
  });
  const w: Welcome = {
    vaultId: s.vault.vaultId,
    relay: s.vault.relay,
    adminId: s.vault.deviceId,
    adminSignPk: toB64(s.vault.keys.signPk),
    adminBoxPk: toB64(s.vault.keys.boxPk),
    keys: toB64(boxTo(Buffer.from(keys), fromB64(h.boxPk, 32), s.vault.keys.boxSk)),
    mac: '',
  };
  w.mac = mac(secret, 'welcome', w.vaultId, w.relay, w.adminId, w.adminSignPk, w.adminBoxPk, w.keys);
  await s.relay.call(
    'POST',
    `/v1/sync/pair/${id}`,
    { payload: JSON.stringify(w) },
    { unsigned: true, ...(signal ? { signal } : {}) },
  );
  await refreshPeers(s, signal);
  return { deviceId: h.deviceId, sas };
}
