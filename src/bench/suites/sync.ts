/**
 * The sync suite (docs/performance.md: incremental sync P99 ≤ 30 ms, initial sync of 10k memories + 50k messages ≤ 3 s):
 * seal and open of a 1 KiB body; an incremental push + pull of one change between two devices through a relay
 * listening on a loopback socket; and the initial sync of a large companion to a fresh device, from the log alone
 * and from a snapshot. Bytes on the wire are
 * counted by the transport so the report can state them per change.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { systemClock } from '../../core/clock.js';
import { ensureDeviceId } from '../../core/engine/identity.js';
import { createWriter } from '../../core/memory/writer.js';
import { pathsFor } from '../../core/paths.js';
import { immediate, openDatabase, type Db } from '../../core/store/db.js';
import { createEngineSync, type EngineSync } from '../../core/sync/index.js';
import { createJournal, type Journal } from '../../core/sync/journal.js';
import { fetchTransport, type Transport } from '../../core/sync/transport.js';
import { KDF_FLOOR } from '../../core/sync/kdf.js';
import type { BenchSuite, PreparedSuite } from '../suite.js';
import { envelopeCases, initialSyncCases, startLoopbackRelay } from './sync-cases.js';

export const PASS = 'bench passphrase, not secret';
export const KDF = { ...KDF_FLOOR.argon2id, name: 'argon2id' } as const;

export interface WireCounter {
  requests: number;
  bytesOut: number;
  bytesIn: number;
}

export function countingTransport(counter: WireCounter, inner: Transport = fetchTransport): Transport {
  return async (req) => {
    counter.requests += 1;
    counter.bytesOut +=
      Buffer.byteLength(req.body ?? '') +
      req.url.length +
      Object.entries(req.headers).reduce((n, [k, v]) => n + k.length + v.length + 4, 0);
    const res = await inner(req);
    counter.bytesIn += Buffer.byteLength(res.body);
    return res;
  };
}

export interface BenchDevice {
  db: Db;
  journal: Journal;
  sync: EngineSync;
  deviceId: string;
}

export function device(dir: string, transport: Transport): BenchDevice {
  mkdirSync(dir, { recursive: true });
  const paths = pathsFor(dir);
  const db = openDatabase(paths.db);
  const deviceId = ensureDeviceId(db);
  const journal = createJournal(db, systemClock, deviceId);
  return { db, journal, deviceId, sync: createEngineSync({ db, clock: systemClock, paths, deviceId }, { transport }) };
}

/** Fills a device with n memories and m messages, journalled as the services do, in a few large transactions. */
export function fill(d: BenchDevice, memories: number, messages: number, seed: number): void {
  const writer = createWriter(d.db, d.journal, systemClock, () => 'bench');
  const vec = new Float32Array(8);
  for (let i = 0; i < memories; i += 1000) {
    immediate(d.db, () =>
      writer.insertRows(
        Array.from({ length: Math.min(1000, memories - i) }, (_, k) => ({
          text: `memory ${seed}-${i + k}: the creator mentioned a detail worth keeping about day ${(i + k) % 365}`,
          kind: 'fact' as const,
          actor: 'creator',
          source: {},
          salience: 0.5,
          pinned: false,
          vector: vec,
        })),
      ),
    );
  }
  fillMessages(d, messages, seed);
}

/**
 * Adds m messages, journalled as the chat does, in conversations of `perConversation` messages (a user and an
 * assistant line per turn), in transactions of 5,000.
 */
export function fillMessages(
  d: Pick<BenchDevice, 'db' | 'journal'>,
  messages: number,
  seed: number,
  perConversation = messages,
): void {
  const conversation = d.db.prepare(
    'INSERT INTO conversations (id, actor, title, created_at, updated_at) VALUES (?, ?, ?, ?, ?)',
  );
  const ins = d.db.prepare(
    'INSERT INTO messages (id, conversation_id, turn_id, role, text, created_at, status, meta, hlc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  for (let i = 0; i < messages; i += 5000) {
    immediate(d.db, () => {
      for (let k = i; k < Math.min(messages, i + 5000); k++) {
        const conv = perConversation >= messages ? `conv-${seed}` : `conv-${seed}-${Math.floor(k / perConversation)}`;
        if (k % perConversation === 0) {
          conversation.run(conv, 'creator', '', k, k);
          d.journal.recordChange('message', conv, 'conversation', { actor: 'creator', title: '', createdAt: k });
        }
        const msg = {
          conversationId: conv,
          turnId: `t${k >> 1}`,
          role: k % 2 ? 'assistant' : 'user',
          text: `message ${k}: a line of conversation of ordinary length`,
          status: 'complete',
          meta: {},
          createdAt: k,
        };
        const hlc = d.journal.recordChange('message', `msg-${seed}-${k}`, '*', msg);
        ins.run(`msg-${seed}-${k}`, conv, msg.turnId, msg.role, msg.text, k, 'complete', '{}', hlc);
      }
    });
  }
}

export const suite: BenchSuite = {
  name: 'sync',
  async setup(ctx) {
    const relay = await startLoopbackRelay(ctx.dir);
    const wire: WireCounter = { requests: 0, bytesOut: 0, bytesIn: 0 };
    const transport = countingTransport(wire);
    const [a, b] = await pairedDevices(ctx.dir, relay.url, transport);
    const vaultId = (await a.sync.status()).vaultId as string;

    // The large companion for the initial sync lives on a separate vault so it does not slow the incremental case.
    const big = device(join(ctx.dir, 'big'), transport);
    const memories = ctx.memories ?? 10_000;
    const messages = memories * 5;
    fill(big, memories, messages, ctx.seed);
    await big.sync.init(relay.url, PASS, { kdfCost: KDF });
    await big.sync.push({ budgetMs: 600_000 });
    const bigVault = (await big.sync.status()).vaultId as string;

    let n = 0;
    const opened: BenchDevice[] = [];
    const source = { dir: ctx.dir, relay: relay.url, transport, big, vaultId: bigVault, opened };
    return {
      cases: [
        ...envelopeCases(vaultId, a.deviceId),
        {
          name: 'sync.pushpull1',
          op: async () => {
            immediate(a.db, () => a.journal.recordChange('limbic', 'limbic', 'warmth', 0.5 + (n++ % 100) / 1000));
            await a.sync.push();
            await b.sync.pull();
          },
        },
        ...initialSyncCases({ ...source, records: memories + messages }),
      ],
      wire,
      async close() {
        for (const d of [a, b, big, ...opened]) if (d.db.open) d.db.close();
        await relay.app.close();
        relay.store.close();
      },
    } satisfies PreparedSuite & { wire: WireCounter };
  },
};

/** Two devices of one vault: a creates it, b joins and is approved, so every push of a reaches b. */
async function pairedDevices(dir: string, relay: string, transport: Transport): Promise<[BenchDevice, BenchDevice]> {
  const a = device(join(dir, 'a'), transport);
  const b = device(join(dir, 'b'), transport);
  await a.sync.init(relay, PASS, { kdfCost: KDF });
  await b.sync.join(relay, (await a.sync.status()).vaultId as string, PASS);
  await a.sync.approve(b.deviceId);
  return [a, b];
}

export default suite;
