/**
 * Migration 6 (contextual indexing) upgrades a home written by the previous schema without losing anything: texts,
 * revisions, other rows' vectors stay; each interaction of a conversation gets the end of the one before as context,
 * is findable by it at once, and is re-embedded with it when the service opens.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../clock.js';
import { mergeConfig } from '../config/load.js';
import { MIGRATIONS } from '../store/migrations.js';
import { openDatabase, type Db } from '../store/db.js';
import { createJournal } from '../sync/journal.js';
import { tempHome } from '../../testing/temp-home.js';
import { createBuiltinEmbedder, createEmbeddedStore, createMemoryService, embedBuiltin } from './index.js';
import { contextualVectors } from './thread.js';
import { fromBlob, textHash, toBlob } from './vectors.js';

const home = tempHome('progeny-migrate6-');

function v5Home(): Db {
  const db = openDatabase(home.paths.db, { migrations: MIGRATIONS.filter((m) => m.version <= 5) });
  expect(db.pragma('user_version', { simple: true })).toBe(5);
  const put = db.prepare(`INSERT INTO memories (id, label, text, kind, actor, source, created_at, updated_at, salience,
    pinned, status, revision, embedder, text_hash, vector, change_seq) VALUES (?, ?, ?, ?, 'creator', ?, ?, ?, 0.5, 0, ?, 1, ?, ?, ?, ?)`);
  const rows: [string, string, string, object, number, string][] = [
    ['01A', 'Did you go to the pottery class?', 'interaction', { conversation: 'c1' }, 1000, 'active'],
    ['01B', 'Yes, last Tuesday! I made a bowl.', 'interaction', { conversation: 'c1' }, 2000, 'active'],
    ['01C', 'a secret that was forgotten', 'interaction', { conversation: 'c1' }, 3000, 'forgotten'],
    ['01D', 'It came out lopsided but I love it.', 'interaction', { conversation: 'c1' }, 4000, 'active'],
    ['01E', 'My sister lives in Manchester.', 'fact', { conversation: 'c1' }, 2500, 'active'],
    ['01F', 'Hello from another chat.', 'interaction', { conversation: 'c2' }, 1500, 'active'],
    ['01G', 'Added by hand.', 'interaction', { via: 'cli' }, 5000, 'active'],
  ];
  rows.forEach(([id, text, kind, source, at, status], i) => {
    const t = status === 'forgotten' ? '' : text;
    put.run(
      id,
      i + 1,
      t,
      kind,
      JSON.stringify(source),
      at,
      at,
      status,
      'builtin-hash-v2/384',
      textHash(t),
      status === 'forgotten' ? null : toBlob(embedBuiltin(t)),
      i + 1,
    );
  });
  db.prepare("INSERT INTO memory_revisions VALUES ('01B', 1, 'Yes!', 'interaction', 0.5, 0, 1500, 'edited')").run();
  return db;
}

describe('migration 6: contextual memories', () => {
  afterEach(() => home.cleanup());

  it('gives each interaction of a conversation the one before as context and keeps everything else', async () => {
    v5Home().close();
    const db = openDatabase(home.paths.db);
    const get = (id: string) =>
      db.prepare('SELECT text, context, context_id, embedder, vector FROM memories WHERE id = ?').get(id) as {
        text: string;
        context: string;
        context_id: string | null;
        embedder: string;
        vector: Buffer | null;
      };
    expect(get('01B')).toMatchObject({ context: 'Did you go to the pottery class?', context_id: '01A', embedder: '' });
    // The forgotten one is skipped: the next takes the one before it.
    expect(get('01D')).toMatchObject({ context: 'Yes, last Tuesday! I made a bowl.', context_id: '01B' });
    for (const id of ['01A', '01E', '01F', '01G'])
      expect(get(id)).toMatchObject({ context: '', context_id: null, embedder: 'builtin-hash-v2/384' });
    expect(get('01B').text).toBe('Yes, last Tuesday! I made a bowl.');
    expect(get('01B').vector).not.toBeNull();
    expect(db.prepare('SELECT count(*) FROM memory_revisions').pluck().get()).toBe(1);
    // Findable by the words of its context, and by another form of a word (the index is stemmed).
    const fts = db.prepare('SELECT rowid FROM memories_fts WHERE memories_fts MATCH ? ORDER BY rowid').pluck();
    expect(fts.all('"pottery"')).toEqual([1, 2]);
    expect(fts.all('"loved"')).toEqual([4]);
    db.close();

    // Opening the service re-embeds the rows that got a context, with it, under the current embedder.
    const db2 = openDatabase(home.paths.db);
    const clock = fixedClock(10_000);
    const embedder = createBuiltinEmbedder();
    const memory = await createMemoryService({
      db: db2,
      journal: createJournal(db2, clock, 'DEV'),
      clock,
      config: mergeConfig({}).config,
      embedder,
      store: createEmbeddedStore({ db: db2, paths: home.paths, embedder }),
    });
    const b = db2.prepare('SELECT embedder, vector FROM memories WHERE id = ?').get('01B') as {
      embedder: string;
      vector: Buffer;
    };
    expect(b.embedder).toBe(embedder.id);
    const [want] = await contextualVectors(embedder, [
      { text: 'Yes, last Tuesday! I made a bowl.', context: 'Did you go to the pottery class?' },
    ]);
    expect(Array.from(fromBlob(b.vector))).toEqual(Array.from(want as Float32Array));
    const hits = await memory.recall({ text: 'When was the pottery class?', k: 3, peek: true });
    expect(hits.map((h) => h.memory.id)).toContain('01B');
    await memory.close();
    db2.close();
  });
});
