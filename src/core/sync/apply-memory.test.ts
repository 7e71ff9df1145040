import { describe, expect, it } from 'vitest';
import { tempDb } from '../../testing/temp-home.js';
import { createMemoryApplier } from './apply-memory.js';

const home = tempDb();

describe('applying a synced forget', () => {
  it('purges the forgotten text from the context of the memory after it, which is marked for re-embedding', () => {
    const { db } = home;
    const put =
      db.prepare(`INSERT INTO memories (id, label, text, kind, actor, source, created_at, updated_at, salience,
      pinned, status, revision, embedder, text_hash, vector, change_seq, context, context_id)
      VALUES (?, ?, ?, 'interaction', 'creator', '{"conversation":"c1"}', ?, ?, 0.5, 0, 'active', 1, 'e', 'h', x'00000000', ?, ?, ?)`);
    put.run('01A', 1, 'I never told anyone about the zeppelin.', 1, 1, 1, '', null);
    put.run('01B', 2, 'That stays between us.', 2, 2, 2, 'I never told anyone about the zeppelin.', '01A');
    const clocks = new Map<string, string>();
    const apply = createMemoryApplier(db, {
      clockOf: (_c, id, f) => clocks.get(`${id}/${f}`) ?? '',
      setClock: (id, f, h) => void clocks.set(`${id}/${f}`, h),
    });
    expect(apply({ c: 'memory', i: '01A', f: 'forget', v: true, h: '0000000000010000' } as never, 10)).toBe(true);
    const row = (id: string) =>
      db.prepare('SELECT text, context, context_id, embedder, vector FROM memories WHERE id = ?').get(id);
    expect(row('01A')).toEqual({ text: '', context: '', context_id: null, embedder: 'e', vector: null });
    expect(row('01B')).toEqual({
      text: 'That stays between us.',
      context: '',
      context_id: null,
      embedder: '',
      vector: null,
    });
    const fts = db.prepare('SELECT count(*) FROM memories_fts WHERE memories_fts MATCH ?').pluck();
    expect(fts.get('"zeppelin"')).toBe(0);
    home.cleanup();
  });
});
