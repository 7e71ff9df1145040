/**
 * Collection setup and inspection: the collection is created with the embedder's dimension and cosine distance and
 * the payload indexes recall filters on. An existing collection of another dimension is an error with a way out;
 * progeny never pads or truncates vectors to make them fit.
 */
import type { QdrantClient } from '@qdrant/js-client-rest';
import { ProgenyError } from '../../errors.js';
import { withRetries, type RetryPolicy } from './retry.js';
import { PAYLOAD_INDEXES } from './wire.js';
import { act } from '../../hints.js';

export interface CollectionShape {
  exists: boolean;
  size?: number;
  distance?: string;
  points?: number;
}

export interface ServerInfo {
  version: string;
  collection: CollectionShape;
}

function vectorParams(info: Awaited<ReturnType<QdrantClient['getCollection']>>): { size?: number; distance?: string } {
  const v = info.config.params.vectors as { size?: unknown; distance?: unknown } | undefined;
  return {
    ...(typeof v?.size === 'number' ? { size: v.size } : {}),
    ...(typeof v?.distance === 'string' ? { distance: v.distance } : {}),
  };
}

/** The server's version and the collection's shape, without changing anything (doctor, probe). */
export async function inspectServer(
  client: QdrantClient,
  url: string,
  name: string,
  policy: RetryPolicy,
): Promise<ServerInfo> {
  const root = await withRetries('version', url, policy, () => client.versionInfo());
  const { exists } = await withRetries('collection lookup', url, policy, () => client.collectionExists(name));
  if (!exists) return { version: root.version, collection: { exists: false } };
  const info = await withRetries('collection info', url, policy, () => client.getCollection(name));
  return { version: root.version, collection: { exists: true, ...vectorParams(info), points: info.points_count ?? 0 } };
}

export function dimensionMismatch(name: string, have: number, embedderId: string, want: number): ProgenyError {
  return new ProgenyError(
    'QDRANT_DIMENSION_MISMATCH',
    `Qdrant collection "${name}" holds ${have}-dimensional vectors but the embedder ${embedderId} makes ${want}-dimensional ones`,
    {
      hint: `set memory.qdrant.collection to a new name and migrate the memories to it, or switch back to the embedder that filled "${name}"`,
      actions: [act('memory.migrate', { to: 'qdrant' })],
      details: { collection: name, collectionSize: have, embedder: embedderId, embedderSize: want },
    },
  );
}

/** Creates the collection (cosine, `dims`, payload indexes) if it is missing; checks its shape if it exists. */
export async function ensureCollection(
  client: QdrantClient,
  url: string,
  name: string,
  embedder: { id: string; dimensions: number },
  policy: RetryPolicy,
  /** For the read-only lookups: a client with a short timeout, so an unreachable host is noticed quickly. */
  lookup: QdrantClient = client,
): Promise<ServerInfo> {
  const info = await inspectServer(lookup, url, name, policy);
  const c = info.collection;
  if (c.exists) {
    if (c.size !== embedder.dimensions) throw dimensionMismatch(name, c.size ?? 0, embedder.id, embedder.dimensions);
    if (c.distance !== 'Cosine') {
      throw new ProgenyError(
        'QDRANT_DISTANCE',
        `Qdrant collection "${name}" uses ${c.distance ?? 'an unknown'} distance; progeny needs Cosine`,
      );
    }
    return info;
  }
  try {
    await withRetries('collection create', url, policy, () =>
      client.createCollection(name, { vectors: { size: embedder.dimensions, distance: 'Cosine' } }),
    );
  } catch (err) {
    // Another process may have created it between our lookup and create: check again rather than fail.
    const again = await inspectServer(lookup, url, name, policy);
    if (!again.collection.exists) throw err;
    return ensureCollection(client, url, name, embedder, policy, lookup);
  }
  for (const idx of PAYLOAD_INDEXES) {
    await withRetries('payload index', url, policy, () => client.createPayloadIndex(name, { ...idx, wait: true }));
  }
  return {
    version: info.version,
    collection: { exists: true, size: embedder.dimensions, distance: 'Cosine', points: 0 },
  };
}
