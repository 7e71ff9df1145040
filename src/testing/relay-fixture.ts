/** A relay on a bare fastify for tests, valid vault-creation requests, and signed calls to it. */
import Fastify, { type FastifyInstance } from 'fastify';
import { newDeviceKeys, randomKey, seal, signKeysFromSeed, toB64, type DeviceKeys } from '../core/sync/crypto.js';
import { newKdfParams } from '../core/sync/kdf.js';
import { signOp, type DeviceOp } from '../core/sync/device-log.js';
import { signRequest } from '../core/sync/request-sig.js';
import { createRelayPlugin, type RelayOptions } from '../server/relay/plugin.js';
import { openRelayStore, type RelayStore } from '../server/relay/store.js';
import { tempHome } from './temp-home.js';

export interface Signer {
  id: string;
  signSk: Uint8Array;
}

export interface NewVault {
  vaultId: string;
  signer: Signer;
  body: { vaultId: string; params: Record<string, unknown>; genesis: DeviceOp; keys: unknown };
}

/**
 * A vault-creation body with its genesis device and join key (new ones unless given: a test that signs later calls
 * passes its own); `filler` pads the params.
 */
export function newVault(
  opts: {
    vaultId?: string;
    filler?: number;
    id?: string;
    dev?: DeviceKeys;
    join?: { pk: Uint8Array; sk: Uint8Array };
  } = {},
): NewVault {
  const dev = opts.dev ?? newDeviceKeys();
  const join = opts.join ?? signKeysFromSeed(randomKey());
  const id =
    opts.id ??
    `dev${toB64(randomKey())
      .replace(/[^A-Za-z0-9]/g, '')
      .slice(0, 12)}`;
  const genesis = signOp(
    {
      op: 'genesis',
      id,
      signPk: toB64(dev.signPk),
      boxPk: toB64(dev.boxPk),
      name: 'x',
      caps: ['admin'],
      by: id,
      at: 1,
    },
    dev.signSk,
    join.sk,
  );
  const params = {
    kdf: newKdfParams({ name: 'scrypt', N: 1 << 14, r: 8, p: 1 }),
    wrappedVrk: toB64(seal(new Uint8Array(64), randomKey())),
    joinPk0: toB64(join.pk),
    ...(opts.filler ? { filler: 'x'.repeat(opts.filler) } : {}),
  };
  const vaultId = opts.vaultId ?? `vault-${id}`;
  return { vaultId, signer: { id, signSk: dev.signSk }, body: { vaultId, params, genesis, keys: { keyring: 'x' } } };
}

/** Headers and payload of a request signed by `signer` (none when signer is undefined). */
export function signed(
  method: string,
  url: string,
  body: unknown,
  signer: Signer | undefined,
  now = Date.now(),
): { headers: Record<string, string>; payload?: string } {
  const text = body === undefined ? '' : JSON.stringify(body);
  return {
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(signer ? signRequest(signer.id, signer.signSk, method, url, text, now) : {}),
    },
    ...(body === undefined ? {} : { payload: text }),
  };
}

export interface TestRelay {
  app: FastifyInstance;
  store: RelayStore;
  call(
    method: 'GET' | 'POST' | 'PUT',
    url: string,
    body?: unknown,
    signer?: Signer,
    ip?: string,
  ): Promise<{ status: number; json: Record<string, unknown>; headers: Record<string, unknown> }>;
  close(): Promise<void>;
}

export async function startTestRelay(opts: Omit<RelayOptions, 'store'> = {}): Promise<TestRelay> {
  const home = tempHome();
  const store = openRelayStore(`${home.paths.home}/relay.db`);
  const app = Fastify();
  await app.register(createRelayPlugin({ store, ...opts }));
  await app.ready();
  return {
    app,
    store,
    async call(method, url, body, signer, ip = '127.0.0.1') {
      const res = await app.inject({ method, url, remoteAddress: ip, ...signed(method, url, body, signer) });
      return { status: res.statusCode, json: JSON.parse(res.body) as Record<string, unknown>, headers: res.headers };
    },
    async close() {
      await app.close();
      store.close();
      home.cleanup();
    },
  };
}
