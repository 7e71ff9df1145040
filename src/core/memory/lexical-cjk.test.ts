/**
 * The full-text channel for scripts written without spaces (migration 7, docs/memory-recall.md "Texts in other
 * scripts"): a word inside an unspaced run finds its memory, kept up to date on edit and forget, and a home written
 * before the migration gets its index when it opens.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { memoryFixture, type MemoryFixture } from '../../testing/memory-fixture.js';
import { tempHome } from '../../testing/temp-home.js';
import { openDatabase } from '../store/db.js';
import { MIGRATIONS } from '../store/migrations.js';
import { createBuiltinEmbedder } from './embedder-builtin.js';
import { createLexicalSearch } from './lexical.js';

const TEXTS = [
  '我昨天在北京吃了烤鸭',
  '我妹妹在上海工作',
  '東京の桜はとても綺麗でした',
  '毎朝コーヒーを飲みます',
  '나는 서울에서 살아요',
  'ผมชอบกินข้าวผัด',
  'I had coffee with Sam in Leeds',
];

let fx: MemoryFixture | undefined;
afterEach(async () => {
  await fx?.cleanup();
  fx = undefined;
});

function top(query: string): string | undefined {
  const lexical = createLexicalSearch(fx!.db, () => createBuiltinEmbedder().id);
  const [hit] = lexical.search(query, 5, {});
  return hit && (fx!.db.prepare('SELECT text FROM memories WHERE id = ?').pluck().get(hit.id) as string);
}

describe('full-text search of unspaced scripts', () => {
  it('finds a word inside a run of Chinese, Japanese, Korean or Thai', async () => {
    const f = (fx = await memoryFixture());
    await f.memory.add(TEXTS.map((text) => ({ text })));
    expect(top('北京')).toBe(TEXTS[0]);
    expect(top('烤鸭')).toBe(TEXTS[0]);
    expect(top('上海')).toBe(TEXTS[1]);
    expect(top('妹妹在哪里工作?')).toBe(TEXTS[1]);
    expect(top('東京')).toBe(TEXTS[2]);
    expect(top('コーヒー')).toBe(TEXTS[3]);
    expect(top('서울')).toBe(TEXTS[4]);
    expect(top('ข้าวผัด')).toBe(TEXTS[5]);
    // Words between spaces still go through memories_fts.
    expect(top('coffee in Leeds')).toBe(TEXTS[6]);
  });

  it('follows edits and forgetting', async () => {
    const f = (fx = await memoryFixture());
    const [m] = await f.memory.add([{ text: '我昨天在北京吃了烤鸭' }]);
    await f.memory.edit(m!.id, { text: '我昨天在广州吃了早茶' }, 'moved');
    expect(top('北京')).toBeUndefined();
    expect(top('广州')).toBe('我昨天在广州吃了早茶');
    await f.memory.forget(m!.id);
    expect(f.db.prepare('SELECT count(*) FROM memories_cjk WHERE memories_cjk MATCH \'"广州"\'').pluck().get()).toBe(0);
  });

  it('indexes the memories of a home written before migration 7 when it opens', () => {
    const home = tempHome('progeny-migrate7-');
    try {
      const v6 = openDatabase(home.paths.db, { migrations: MIGRATIONS.filter((m) => m.version <= 6) });
      const put = v6.prepare(`INSERT INTO memories (id, label, text, kind, actor, source, created_at, updated_at,
        salience, pinned, status, revision, embedder, text_hash, vector, change_seq)
        VALUES (?, ?, ?, 'fact', 'creator', '{}', 1, 1, 0.5, 0, 'active', 1, '', ?, NULL, ?)`);
      TEXTS.forEach((t, i) => put.run(`01M${i}`, i + 1, t, `h${i}`, i + 1));
      v6.close();
      const db = openDatabase(home.paths.db);
      expect(db.pragma('user_version', { simple: true })).toBe(7);
      // Six of the seven have an unspaced run; the English one needs no row.
      expect(db.prepare('SELECT count(*) FROM memories_cjk').pluck().get()).toBe(6);
      const hit = db.prepare('SELECT rowid FROM memories_cjk WHERE memories_cjk MATCH \'"北京"\'').pluck().all();
      expect(hit).toEqual([1]);
      db.close();
    } finally {
      home.cleanup();
    }
  });
});
