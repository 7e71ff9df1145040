/**
 * The append-only batch log: push envelopes (verified against the signing device, sequenced per device, idempotent by
 * hash), page through it by seq, read the head, and record a device's acknowledged cursor.
 */
import { envelopeHash, verifyEnvelope } from '../../../core/sync/envelope.js';
import { BODY_LIMITS, deviceOf, vaultParams, type RelayContext, type RelayRouteModule } from '../context.js';
import { ProgenyError } from '../../../core/errors.js';
import type { AppendResult, RelayDevice, RelayStore } from '../store.js';

export const MAX_PUSH_ENVELOPES = 64;
export const MAX_PUSH_BYTES = 1024 * 1024;

/** Appends each envelope in order; stops at the first refused one, reporting the results so far. */
function appendAll(store: RelayStore, v: string, device: RelayDevice, envs: Buffer[], now: number): AppendResult[] {
  const results: AppendResult[] = [];
  for (const env of envs) {
    let h;
    try {
      h = verifyEnvelope(env, device.signPk);
      if (h.vaultId !== v || h.deviceId !== device.deviceId)
        throw new Error('the envelope belongs to another vault or device');
    } catch (err) {
      throw new ProgenyError('SYNC_BAD_ENVELOPE', (err as Error).message, { details: { results } });
    }
    const r = store.append(v, h.deviceId, h.deviceSeq, envelopeHash(env), env, now);
    if ('conflict' in r) {
      if (r.conflict === 'gap')
        throw new ProgenyError('SYNC_SEQ_GAP', `expected deviceSeq ${r.expectedDeviceSeq}`, {
          details: { expectedDeviceSeq: r.expectedDeviceSeq, results },
        });
      throw new ProgenyError('SYNC_EQUIVOCATION', `another batch already has deviceSeq ${r.deviceSeq}`, {
        details: { results },
      });
    }
    results.push(r);
  }
  return results;
}

/** A vault may hold relay.vaultBytes of batches and snapshot; `replacing` bytes are freed by the same write. */
export function checkVaultBytes(ctx: RelayContext, v: string, adding: number, replacing = 0): void {
  const stored = ctx.store.vaultBytes(v) - replacing;
  if (stored + adding <= ctx.limits.vaultBytes) return;
  throw new ProgenyError(
    'SYNC_VAULT_FULL',
    `the vault holds ${stored} bytes; ${adding} more would pass the relay's quota of ${ctx.limits.vaultBytes}`,
  );
}

const pageQuery = {
  type: 'object',
  properties: {
    after: { type: 'integer', minimum: 0, default: 0 },
    limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 },
    maxBytes: { type: 'integer', minimum: 1024, maximum: 8 * MAX_PUSH_BYTES, default: 4 * MAX_PUSH_BYTES },
  },
} as const;

export const batchRoutes: RelayRouteModule = (app, ctx) => {
  const { store, now } = ctx;

  app.post<{ Params: { v: string }; Body: { envelopes: string[] } }>(
    '/v1/sync/vaults/:v/batches',
    {
      bodyLimit: BODY_LIMITS.push,
      config: { relayAuth: { cap: 'sync:push' } },
      schema: {
        params: vaultParams,
        body: {
          type: 'object',
          required: ['envelopes'],
          properties: { envelopes: { type: 'array', minItems: 1, items: { type: 'string' } } },
        },
      },
    },
    async (req) => {
      const list = req.body.envelopes;
      if (list.length > MAX_PUSH_ENVELOPES)
        throw new ProgenyError('SYNC_TOO_LARGE', `at most ${MAX_PUSH_ENVELOPES} envelopes per push`);
      const envs = list.map((s) => Buffer.from(s, 'base64'));
      const bytes = envs.reduce((n, e) => n + e.length, 0);
      if (bytes > MAX_PUSH_BYTES) throw new ProgenyError('SYNC_TOO_LARGE', 'at most 1 MiB per push');
      checkVaultBytes(ctx, req.params.v, bytes);
      return { results: appendAll(store, req.params.v, deviceOf(req), envs, now()) };
    },
  );

  app.get<{ Params: { v: string }; Querystring: { after: number; limit: number; maxBytes: number } }>(
    '/v1/sync/vaults/:v/batches',
    { config: { relayAuth: {} }, schema: { params: vaultParams, querystring: pageQuery } },
    async (req) => {
      const { v } = req.params;
      const { after, limit, maxBytes } = req.query;
      const page = store.page(v, after, limit, maxBytes);
      const last = page.items.at(-1)?.seq ?? after;
      // deviceLog: the device log's length, so clients refetch the log only when it changed; prev: the hash of the
      // batch at `after`, so a client notices a log that is no longer the one it read.
      return {
        items: page.items.map((i) => ({ seq: i.seq, envelope: i.envelope.toString('base64') })),
        head: page.head,
        done: last >= page.head,
        deviceLog: store.deviceOpCount(v),
        prev: page.prev,
      };
    },
  );

  app.get<{ Params: { v: string } }>(
    '/v1/sync/vaults/:v/head',
    { config: { relayAuth: {} }, schema: { params: vaultParams } },
    async (req) => store.head(req.params.v),
  );

  app.post<{ Params: { v: string }; Body: { seq: number } }>(
    '/v1/sync/vaults/:v/cursor',
    {
      config: { relayAuth: {} },
      schema: {
        params: vaultParams,
        body: { type: 'object', required: ['seq'], properties: { seq: { type: 'integer', minimum: 0 } } },
      },
    },
    async (req) => {
      store.setCursor(req.params.v, deviceOf(req).deviceId, req.body.seq);
      return { seq: req.body.seq };
    },
  );
};
