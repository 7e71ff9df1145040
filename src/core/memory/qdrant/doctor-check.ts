/**
 * What `progeny doctor` reports about Qdrant when memory.backend=qdrant: reachability and auth, the server version
 * against the client's, the collection's shape, and writes waiting for replay. Read-only: creates nothing.
 */
import type { Config } from '../../config/schema.js';
import { toProgenyError, type ExitCode } from '../../errors.js';
import type { Paths } from '../../paths.js';
import type { Db } from '../../store/db.js';
import { inspectServer } from './collection.js';
import { resolveQdrantApiKey } from './index.js';
import { ReplayQueue } from './replay-queue.js';
import { classify } from './retry.js';
import { act, type HintAction } from '../../hints.js';

/** package.json pins the client to ~1.18, so its major.minor (all the compatibility rule reads) is this. */
export const CLIENT_VERSION = '1.18';

export interface QdrantCheck {
  check: string;
  status: 'ok' | 'warn' | 'fail';
  detail: string;
  /** What to do, in plain words, and the actions that do it (src/core/hints.ts; the doctor renders them). */
  fix?: string;
  actions?: HintAction[];
  exit?: (typeof ExitCode)[keyof typeof ExitCode];
}

/** The client's own compatibility rule: same major version, minor versions at most one apart. */
export function versionsCompatible(client: string, server: string): boolean {
  const [cm, cn] = client.split('.').map(Number);
  const [sm, sn] = server.split('.').map(Number);
  return cm === sm && Number.isFinite(cn) && Number.isFinite(sn) && Math.abs((cn as number) - (sn as number)) <= 1;
}

function versionCheck(version: string, url: string): QdrantCheck {
  return versionsCompatible(CLIENT_VERSION, version)
    ? { check: 'qdrant', status: 'ok', detail: `Qdrant ${version} at ${url} (client ${CLIENT_VERSION})` }
    : {
        check: 'qdrant',
        status: 'warn',
        detail: `Qdrant ${version} at ${url}; the client is ${CLIENT_VERSION} (major must match, minor within 1)`,
        fix: 'upgrade Qdrant or progeny so their versions match',
      };
}

type CollectionInfo = Awaited<ReturnType<typeof inspectServer>>['collection'];

/** The collection must use cosine distance; a missing one is created on first use. */
function collectionCheck(name: string, c: CollectionInfo): QdrantCheck {
  if (!c.exists)
    return {
      check: 'qdrant collection',
      status: 'warn',
      detail: `${name} does not exist yet: it is created with the embedder's dimension on first use`,
      fix: 'migrate the memories to it now',
      actions: [act('memory.migrate', { to: 'qdrant' })],
    };
  return {
    check: 'qdrant collection',
    status: c.distance === 'Cosine' ? 'ok' : 'fail',
    detail: `${name}: ${c.size ?? '?'}-d ${c.distance ?? '?'}, ${c.points ?? 0} points`,
    ...(c.distance === 'Cosine'
      ? {}
      : {
          fix: 'set memory.qdrant.collection to a new name and migrate the memories to it',
          actions: [act('memory.migrate', { to: 'qdrant' })],
          exit: 3,
        }),
  };
}

/** Qdrant did not answer (or refused the key). */
function unreachableCheck(url: string, err: unknown): QdrantCheck {
  const c = classify((err as { cause?: unknown }).cause ?? err);
  const auth = /HTTP 40[13]/.test(c.message);
  return {
    check: 'qdrant',
    status: 'fail',
    detail: `${url}: ${c.message}`,
    fix: auth
      ? 'set the key: $PROGENY_MEMORY_QDRANT_APIKEY or secrets/qdrant.key (mode 600)'
      : 'start Qdrant or set memory.qdrant.url; until then chat runs in AMNESIA and writes queue for replay',
    exit: auth ? 7 : 5,
  };
}

export async function checkQdrant(config: Config, paths: Paths, db?: Db): Promise<QdrantCheck[]> {
  const url = config['memory.qdrant.url'];
  const name = config['memory.qdrant.collection'];
  let apiKey: string | undefined;
  try {
    apiKey = resolveQdrantApiKey(config, paths);
  } catch (err) {
    const e = toProgenyError(err);
    return [
      {
        check: 'qdrant',
        status: 'fail',
        detail: e.message,
        ...(e.hint ? { fix: e.hint, actions: [...e.actions] } : {}),
        exit: 7,
      },
    ];
  }
  const { QdrantClient } = await import('@qdrant/js-client-rest');
  const client = new QdrantClient({
    url,
    timeout: Math.min(config['memory.qdrant.timeoutMs'], 5_000),
    checkCompatibility: false,
    ...(apiKey ? { headers: { 'api-key': apiKey } } : {}),
  });
  const out: QdrantCheck[] = [];
  try {
    const info = await inspectServer(client, url, name, { retries: 0, baseMs: 0, maxMs: 0, maxRetryAfterMs: 0 });
    out.push(versionCheck(info.version, url));
    out.push(collectionCheck(name, info.collection));
  } catch (err) {
    out.push(unreachableCheck(url, err));
  }
  const queued = db ? new ReplayQueue(db, name).size() : 0;
  if (queued)
    out.push({
      check: 'qdrant replay',
      status: 'warn',
      detail: `${queued} writes queued while Qdrant was unreachable`,
      fix: 'they replay automatically once Qdrant answers',
    });
  return out;
}
