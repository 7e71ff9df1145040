/** doctor's Qdrant checks against the Qdrant TEST DOUBLE: reachability, auth, version, collection shape, replay queue. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDb } from '../../../testing/temp-home.js';
import { startQdrantTestDouble, type QdrantTestDouble } from '../../../testing/qdrant-double.js';
import { mergeConfig, type PartialConfig } from '../../config/load.js';
import { checkQdrant, versionsCompatible } from './doctor-check.js';
import { ReplayQueue } from './replay-queue.js';
import { point } from '../../../testing/qdrant-store-fixture.js';

let double: QdrantTestDouble;
let t: ReturnType<typeof tempDb>;
const config = (flags: PartialConfig = {}) =>
  mergeConfig({
    flags: { 'memory.backend': 'qdrant', 'memory.qdrant.url': double.url, 'memory.qdrant.collection': 'c1', ...flags },
  }).config;

beforeEach(async () => {
  double = await startQdrantTestDouble({ version: '1.17.2' });
  t = tempDb();
});
afterEach(async () => {
  t.cleanup();
  await double.close();
});

describe('doctor: Qdrant checks', () => {
  it('reports the version and a collection that is still to be created', async () => {
    const rows = await checkQdrant(config(), t.paths, t.db);
    expect(rows).toEqual([
      expect.objectContaining({
        check: 'qdrant',
        status: 'ok',
        detail: expect.stringContaining('Qdrant 1.17.2') as unknown,
      }),
      expect.objectContaining({ check: 'qdrant collection', status: 'warn' }),
    ]);
  });

  it('shows the collection shape and queued replay writes', async () => {
    double.collections.set('c1', { size: 384, distance: 'Cosine', points: new Map(), indexes: new Map() });
    new ReplayQueue(t.db, 'c1').push([{ op: 'upsert', point: point(1) }]);
    const rows = await checkQdrant(config(), t.paths, t.db);
    expect(rows.map((r) => [r.check, r.status])).toEqual([
      ['qdrant', 'ok'],
      ['qdrant collection', 'ok'],
      ['qdrant replay', 'warn'],
    ]);
    expect(rows[1]?.detail).toBe('c1: 384-d Cosine, 0 points');
  });

  it('fails with the store exit code when Qdrant is unreachable, and the auth code on a bad key', async () => {
    await double.setDown(true);
    const down = await checkQdrant(config(), t.paths);
    expect(down[0]).toMatchObject({
      check: 'qdrant',
      status: 'fail',
      exit: 5,
      detail: expect.stringMatching(/unreachable/) as unknown,
    });
    await double.close();
    double = await startQdrantTestDouble({ apiKey: 'right' });
    const denied = await checkQdrant(config({ 'memory.qdrant.apiKey': 'wrong' }), t.paths);
    expect(denied[0]).toMatchObject({ status: 'fail', exit: 7, detail: expect.stringMatching(/HTTP 401/) as unknown });
  });

  it('applies the client rule for versions: same major, minor within one', () => {
    expect(versionsCompatible('1.18', '1.17.2')).toBe(true);
    expect(versionsCompatible('1.18', '1.16.0')).toBe(false);
    expect(versionsCompatible('1.18', '2.18.0')).toBe(false);
  });
});
