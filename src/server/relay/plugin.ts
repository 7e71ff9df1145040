/**
 * The sync relay as a fastify plugin (sync.md, "Relay"). Routes live under /v1/sync/ and authenticate themselves with
 * request signatures. The relay checks what it can without keys — signatures, device-log validity, per-device
 * sequence continuity, sizes — and stores only ciphertext.
 */
import type { FastifyInstance } from 'fastify';
import { fromB64 } from '../../core/sync/crypto.js';
import { replayDeviceLog, verifyJoin, type DeviceOp } from '../../core/sync/device-log.js';
import { envelopeHash, verifyEnvelope } from '../../core/sync/envelope.js';
import { SIG_HEADERS } from '../../core/sync/request-sig.js';
import { ProgenyError } from '../../core/errors.js';
import { sendError } from '../errors.js';
import { authDevice, header, signedBy, type RelayRequest } from './auth.js';
import { registerPairRoutes } from './pair.js';
import type { RelayStore } from './store.js';

export interface RelayOptions {
  store: RelayStore;
  now?: () => number;
  /** Requests per device per minute before 429 (default 1200). */
  rateLimitPerMinute?: number;
}

export const MAX_PUSH_ENVELOPES = 64;
export const MAX_PUSH_BYTES = 1024 * 1024;
export const MAX_SNAPSHOT_BYTES = 256 * 1024 * 1024;
const VAULT_ID = /^[A-Za-z0-9_-]{8,64}$/;

interface VaultParams {
  joinPk0: string;
  [k: string]: unknown;
}

export function createRelayPlugin(opts: RelayOptions): (app: FastifyInstance) => Promise<void> {
  const { store } = opts;
  const now = opts.now ?? Date.now;
  const limit = opts.rateLimitPerMinute ?? 1200;
  const buckets = new Map<string, { start: number; n: number }>();
  const allow = (key: string): number => {
    const t = now();
    const b = buckets.get(key);
    if (!b || t - b.start >= 60_000) {
      buckets.set(key, { start: t, n: 1 });
      return 0;
    }
    b.n += 1;
    return b.n > limit ? Math.ceil((b.start + 60_000 - t) / 1000) : 0;
  };

  return async (app) => {
    await app.register(async (scope) => {
      // The same error envelope as the API ({ error: { code, message, hint } }), also when mounted on its own.
      scope.setErrorHandler((err, req, reply) => sendError(req, reply, err));
      scope.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, body, done) => {
        (req as RelayRequest).rawBody = body as Buffer;
        try {
          done(null, (body as Buffer).length ? (JSON.parse((body as Buffer).toString('utf8')) as unknown) : {});
        } catch {
          done(new ProgenyError('MALFORMED_JSON', 'the body is not valid JSON'), undefined);
        }
      });
      scope.addHook('onRequest', async (req, reply) => {
        const retry = allow(header(req, SIG_HEADERS.device) ?? req.ip);
        if (retry > 0) {
          void reply.header('retry-after', String(retry));
          throw new ProgenyError('SYNC_RATE_LIMITED', 'too many requests');
        }
        return undefined;
      });
      const cfg = { config: { auth: false }, bodyLimit: 2 * MAX_PUSH_BYTES };
      const vaultOf = (v: string): { params: VaultParams; epoch: number } | undefined =>
        store.vault(v) as { params: VaultParams; epoch: number } | undefined;
      const joinPk = (p: VaultParams): Uint8Array => fromB64(p.joinPk0, 32);

      scope.post('/v1/sync/vaults', cfg, async (req: RelayRequest, reply) => {
        const b = req.body as { vaultId?: string; params?: VaultParams; genesis?: DeviceOp; keys?: unknown };
        if (!b?.vaultId || !VAULT_ID.test(b.vaultId) || !b.params || !b.genesis || !b.keys)
          throw new ProgenyError('SYNC_BAD_REQUEST', 'vaultId, params, genesis and keys are required');
        let devices;
        try {
          devices = replayDeviceLog([b.genesis], joinPk(b.params));
        } catch (err) {
          throw new ProgenyError('SYNC_DEVICE_LOG', (err as Error).message);
        }
        const dev = devices.get(b.genesis.id);
        if (!dev || header(req, SIG_HEADERS.device) !== dev.id || !signedBy(req, dev.signPk, now()))
          throw new ProgenyError('SYNC_UNAUTHORIZED', 'the request must be signed by the genesis device');
        const ok = store.createVault(
          b.vaultId,
          b.params,
          b.genesis,
          { deviceId: dev.id, signPk: dev.signPk, status: 'active', caps: dev.caps },
          b.keys,
          now(),
        );
        if (!ok) throw new ProgenyError('SYNC_VAULT_EXISTS', 'a vault with this id exists');
        return reply.code(201).send({ vaultId: b.vaultId });
      });

      scope.get('/v1/sync/vaults/:v/params', cfg, async (req) => {
        const vault = vaultOf((req.params as { v: string }).v);
        if (!vault) throw new ProgenyError('SYNC_NO_VAULT', 'no such vault');
        return { params: vault.params, epoch: vault.epoch };
      });

      scope.put('/v1/sync/vaults/:v/params', cfg, async (req: RelayRequest) => {
        const { v } = req.params as { v: string };
        const vault = vaultOf(v);
        if (!vault) throw new ProgenyError('SYNC_NO_VAULT', 'no such vault');
        authDevice(store, req, v, now(), { cap: 'admin' });
        const b = req.body as { params?: VaultParams; epoch?: number; expectEpoch?: number };
        if (!b?.params || !Number.isInteger(b.epoch) || b.params.joinPk0 !== vault.params.joinPk0)
          throw new ProgenyError('SYNC_BAD_REQUEST', 'params and epoch are required; joinPk0 never changes');
        if (!store.setParams(v, b.params, b.epoch as number, b.expectEpoch ?? vault.epoch))
          throw new ProgenyError('SYNC_CONFLICT', 'the vault changed meanwhile', { details: { epoch: vault.epoch } });
        return { epoch: b.epoch };
      });

      scope.post('/v1/sync/vaults/:v/join', cfg, async (req: RelayRequest, reply) => {
        const { v } = req.params as { v: string };
        const vault = vaultOf(v);
        if (!vault) throw new ProgenyError('SYNC_NO_VAULT', 'no such vault');
        const op = (req.body as { op?: DeviceOp })?.op;
        if (!op || !verifyJoin(op, joinPk(vault.params)))
          throw new ProgenyError('SYNC_BAD_JOIN', 'the join request is not signed with the vault passphrase');
        const signPk = fromB64(op.signPk, 32);
        if (header(req, SIG_HEADERS.device) !== op.id || !signedBy(req, signPk, now()))
          throw new ProgenyError('SYNC_UNAUTHORIZED', 'the request must be signed by the joining device');
        if (store.device(v, op.id))
          throw new ProgenyError('SYNC_DEVICE_EXISTS', 'this device id is already registered');
        store.addPending(v, { deviceId: op.id, signPk, status: 'pending', caps: [] }, op, now());
        return reply.code(202).send({ status: 'pending' });
      });

      scope.get('/v1/sync/vaults/:v/devices', cfg, async (req: RelayRequest) => {
        const { v } = req.params as { v: string };
        authDevice(store, req, v, now(), { allowPending: true });
        return { ops: store.deviceOps(v), pending: store.pendingOps(v) };
      });

      scope.post('/v1/sync/vaults/:v/devices', cfg, async (req: RelayRequest, reply) => {
        const { v } = req.params as { v: string };
        const vault = vaultOf(v);
        if (!vault) throw new ProgenyError('SYNC_NO_VAULT', 'no such vault');
        authDevice(store, req, v, now(), { cap: 'admin' });
        const op = (req.body as { op?: DeviceOp })?.op;
        if (!op) throw new ProgenyError('SYNC_BAD_REQUEST', 'op is required');
        let devices;
        try {
          devices = replayDeviceLog([...(store.deviceOps(v) as DeviceOp[]), op], joinPk(vault.params));
        } catch (err) {
          throw new ProgenyError('SYNC_DEVICE_LOG', (err as Error).message);
        }
        const d = devices.get(op.id);
        if (!d) throw new ProgenyError('SYNC_DEVICE_LOG', 'the operation names no device');
        store.appendDeviceOp(v, op, { deviceId: d.id, signPk: d.signPk, status: d.status, caps: d.caps });
        return reply.code(201).send({ index: store.deviceOps(v).length - 1 });
      });

      scope.post('/v1/sync/vaults/:v/batches', cfg, async (req: RelayRequest) => {
        const { v } = req.params as { v: string };
        const device = authDevice(store, req, v, now(), { cap: 'sync:push' });
        const list = (req.body as { envelopes?: unknown })?.envelopes;
        if (!Array.isArray(list) || list.length === 0 || list.some((e) => typeof e !== 'string'))
          throw new ProgenyError('SYNC_BAD_REQUEST', 'envelopes must be a non-empty list of base64 strings');
        if (list.length > MAX_PUSH_ENVELOPES)
          throw new ProgenyError('SYNC_TOO_LARGE', `at most ${MAX_PUSH_ENVELOPES} envelopes per push`);
        const envs = (list as string[]).map((s) => Buffer.from(s, 'base64'));
        if (envs.reduce((n, e) => n + e.length, 0) > MAX_PUSH_BYTES)
          throw new ProgenyError('SYNC_TOO_LARGE', 'at most 1 MiB per push');
        const results: unknown[] = [];
        for (const env of envs) {
          let h;
          try {
            h = verifyEnvelope(env, device.signPk);
            if (h.vaultId !== v || h.deviceId !== device.deviceId)
              throw new Error('the envelope belongs to another vault or device');
          } catch (err) {
            throw new ProgenyError('SYNC_BAD_ENVELOPE', (err as Error).message, { details: { results } });
          }
          const r = store.append(v, h.deviceId, h.deviceSeq, envelopeHash(env), env, now());
          if ('conflict' in r) {
            if (r.conflict === 'gap')
              throw new ProgenyError('SYNC_SEQ_GAP', `expected deviceSeq ${r.expectedDeviceSeq}`, {
                details: {
                  expectedDeviceSeq: r.expectedDeviceSeq,
                  results,
                },
              });
            throw new ProgenyError('SYNC_EQUIVOCATION', `another batch already has deviceSeq ${r.deviceSeq}`, {
              details: {
                results,
              },
            });
          }
          results.push(r);
        }
        return { results };
      });

      scope.get('/v1/sync/vaults/:v/batches', cfg, async (req: RelayRequest) => {
        const { v } = req.params as { v: string };
        authDevice(store, req, v, now(), { allowPending: true });
        const q = req.query as Record<string, string | undefined>;
        const after = Math.max(0, Number(q.after ?? 0) || 0);
        const limit = Math.min(500, Math.max(1, Number(q.limit ?? 100) || 100));
        const maxBytes = Math.min(
          8 * MAX_PUSH_BYTES,
          Math.max(1024, Number(q.maxBytes ?? 4 * MAX_PUSH_BYTES) || MAX_PUSH_BYTES),
        );
        const page = store.page(v, after, limit, maxBytes);
        const last = page.items.at(-1)?.seq ?? after;
        // deviceLog: the device log's length, so clients refetch the log only when it changed.
        return {
          items: page.items.map((i) => ({ seq: i.seq, envelope: i.envelope.toString('base64') })),
          head: page.head,
          done: last >= page.head,
          deviceLog: store.deviceOpCount(v),
        };
      });

      scope.get('/v1/sync/vaults/:v/head', cfg, async (req: RelayRequest) => {
        const { v } = req.params as { v: string };
        authDevice(store, req, v, now(), { allowPending: true });
        return store.head(v);
      });

      scope.put('/v1/sync/vaults/:v/snapshot', { ...cfg, bodyLimit: MAX_SNAPSHOT_BYTES }, async (req: RelayRequest) => {
        const { v } = req.params as { v: string };
        const device = authDevice(store, req, v, now(), { cap: 'sync:push' });
        const b = req.body as { seq?: number; data?: string };
        if (!Number.isInteger(b?.seq) || typeof b.data !== 'string')
          throw new ProgenyError('SYNC_BAD_REQUEST', 'seq and data are required');
        // Snapshots are sealed and signed by the device; clients verify them, the relay only stores them.
        const data = Buffer.from(b.data, 'base64');
        if (!store.putSnapshot(v, b.seq as number, device.deviceId, data, now()))
          throw new ProgenyError('SYNC_CONFLICT', 'a newer snapshot exists, or seq is past the head');
        return { seq: b.seq };
      });

      scope.get('/v1/sync/vaults/:v/snapshot', cfg, async (req: RelayRequest) => {
        const { v } = req.params as { v: string };
        authDevice(store, req, v, now(), { allowPending: true });
        const s = store.getSnapshot(v);
        if (!s) throw new ProgenyError('SYNC_NO_SNAPSHOT', 'no snapshot yet');
        return { seq: s.seq, deviceId: s.deviceId, data: s.data.toString('base64') };
      });

      scope.post('/v1/sync/vaults/:v/cursor', cfg, async (req: RelayRequest) => {
        const { v } = req.params as { v: string };
        const device = authDevice(store, req, v, now(), { allowPending: true });
        const seq = (req.body as { seq?: number })?.seq;
        if (!Number.isInteger(seq)) throw new ProgenyError('SYNC_BAD_REQUEST', 'seq is required');
        store.setCursor(v, device.deviceId, seq as number);
        return { seq };
      });

      scope.put('/v1/sync/vaults/:v/keys/:epoch', cfg, async (req: RelayRequest, reply) => {
        const { v, epoch } = req.params as { v: string; epoch: string };
        authDevice(store, req, v, now(), { cap: 'admin' });
        const record = (req.body as { record?: unknown })?.record;
        if (!record || !/^\d+$/.test(epoch)) throw new ProgenyError('SYNC_BAD_REQUEST', 'record is required');
        if (!store.putKeys(v, Number(epoch), record))
          throw new ProgenyError('SYNC_CONFLICT', 'only the next key epoch can be written');
        return reply.code(201).send({ epoch: Number(epoch) });
      });

      scope.get('/v1/sync/vaults/:v/keys/:epoch', cfg, async (req: RelayRequest) => {
        const { v, epoch } = req.params as { v: string; epoch: string };
        authDevice(store, req, v, now(), { allowPending: true });
        const k = store.getKeys(v, epoch === 'latest' ? undefined : Number(epoch));
        if (!k) throw new ProgenyError('SYNC_NO_KEYS', 'no such key epoch');
        return k;
      });

      registerPairRoutes(scope, store, now);
    });
  };
}
