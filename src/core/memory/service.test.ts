import { afterEach, describe, expect, it } from 'vitest';
import { memoryFixture, T0, type MemoryFixture } from '../../testing/memory-fixture.js';

let fx: MemoryFixture;
afterEach(() => fx.cleanup());

const outbox = (f: MemoryFixture, id: string) =>
  f.db.prepare("SELECT field, value FROM outbox WHERE coll = 'memory' AND rec_id = ? ORDER BY seq").all(id) as {
    field: string;
    value: string;
  }[];

describe('memory service: records', () => {
  it('add stores durably with defaults, the embedder id and a journal change in the same transaction', async () => {
    fx = await memoryFixture();
    const [m] = await fx.memory.add([{ text: 'I play the cello' }]);
    expect(m).toMatchObject({
      text: 'I play the cello',
      kind: 'interaction',
      actor: 'creator',
      salience: 0.5,
      pinned: false,
      status: 'active',
      revision: 1,
      embedder: 'builtin-hash-v2/384',
      createdAt: T0,
    });
    expect(outbox(fx, m!.id).map((c) => c.field)).toEqual(['*']);
    expect(fx.changes).toEqual([{ op: 'add', ids: [m!.id] }]);
    await fx.reopen();
    expect(fx.memory.get(m!.id).text).toBe('I play the cello');
    await expect(fx.memory.add([{ text: '   ' }])).rejects.toThrow(/needs some text/);
  });

  it('add with an id that is taken is a clear usage error and changes nothing', async () => {
    fx = await memoryFixture();
    const [m] = await fx.memory.add([{ text: 'I play the cello' }]);
    const err = await fx.memory.add([{ text: 'new one' }, { id: m!.id, text: 'impostor' }]).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'USAGE', message: `a memory with id ${m!.id} already exists` });
    await expect(
      fx.memory.add([
        { id: '01M8XYW66R14B3FKB9G614D1PZ', text: 'a' },
        { id: '01M8XYW66R14B3FKB9G614D1PZ', text: 'b' },
      ]),
    ).rejects.toThrow(/already exists/);
    expect(fx.memory.get(m!.id).text).toBe('I play the cello');
    expect(fx.db.prepare('SELECT count(*) FROM memories').pluck().get()).toBe(1);
  });

  it('get accepts a unique prefix of at least 6 characters, case-insensitively', async () => {
    fx = await memoryFixture();
    const [a, b] = await fx.memory.add([{ text: 'one' }, { text: 'two' }]);
    // Same millisecond: the two ULIDs share their 10 time characters and more.
    expect(fx.memory.get(a!.id.slice(0, 24).toLowerCase() + a!.id.slice(24)).id).toBe(a!.id);
    expect(() => fx.memory.get(a!.id.slice(0, 10))).toThrow(/more than one/);
    expect(() => fx.memory.get(b!.id.slice(0, 5))).toThrow(
      expect.objectContaining({ code: 'NOT_FOUND', hint: expect.stringMatching(/at least 6/) }),
    );
    expect(() => fx.memory.get('ZZZZZZZZ')).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
  });

  it('list pages with a cursor, newest first, filtered by status and kind', async () => {
    fx = await memoryFixture();
    for (let i = 0; i < 5; i++) {
      await fx.memory.add([{ text: `m${i}`, kind: i % 2 ? 'fact' : 'interaction' }]);
      fx.clock.advance(1000);
    }
    const p1 = fx.memory.list({ limit: 2 });
    expect(p1.items.map((m) => m.text)).toEqual(['m4', 'm3']);
    const p2 = fx.memory.list({ limit: 2, cursor: p1.nextCursor! });
    expect(p2.items.map((m) => m.text)).toEqual(['m2', 'm1']);
    const p3 = fx.memory.list({ limit: 2, cursor: p2.nextCursor! });
    expect(p3).toEqual({ items: [expect.objectContaining({ text: 'm0' })], nextCursor: null });
    expect(fx.memory.list({ kind: 'fact', order: 'asc' }).items.map((m) => m.text)).toEqual(['m1', 'm3']);
    expect(() => fx.memory.list({ cursor: 'garbage' })).toThrow(/invalid --cursor/);
  });

  it('edit keeps the previous version in history and re-embeds a new text', async () => {
    fx = await memoryFixture();
    const [m] = await fx.memory.add([{ text: 'I live in Lyon', kind: 'fact' }]);
    fx.clock.advance(5000);
    const e = await fx.memory.edit(m!.id, { text: 'I live in Marseille', salience: 0.9 }, 'moved');
    expect(e).toMatchObject({ revision: 2, text: 'I live in Marseille', salience: 0.9, updatedAt: T0 + 5000 });
    expect(fx.memory.history(m!.id)).toEqual([
      {
        memoryId: m!.id,
        revision: 1,
        text: 'I live in Lyon',
        kind: 'fact',
        salience: 0.5,
        pinned: false,
        changedAt: T0 + 5000,
        reason: 'moved',
      },
    ]);
    const hit = await fx.memory.recall({ text: 'Marseille', k: 1, peek: true });
    expect(hit[0]!.memory.id).toBe(m!.id);
    expect(outbox(fx, m!.id).map((c) => c.field)).toEqual(['*', 'text', 'salience']);
  });

  it('forget tombstones and purges the text, every revision and the vector; it is no longer recalled', async () => {
    fx = await memoryFixture();
    const [m] = await fx.memory.add([{ text: 'my bank PIN is 1234' }]);
    await fx.memory.edit(m!.id, { text: 'my bank PIN is 9876' }, 'changed');
    const f = await fx.memory.forget(m!.id.slice(0, 8));
    expect(f).toMatchObject({ status: 'forgotten', text: '' });
    const row = fx.db.prepare('SELECT text, vector, text_hash FROM memories WHERE id = ?').get(m!.id);
    expect(row).toEqual({ text: '', vector: null, text_hash: '' });
    expect(fx.memory.history(m!.id)).toEqual([]);
    expect(JSON.stringify(fx.db.prepare('SELECT * FROM memory_revisions').all())).not.toMatch(/PIN/);
    expect(await fx.memory.recall({ text: 'bank PIN', peek: true })).toEqual([]);
    expect(
      fx.db.prepare("SELECT count(*) FROM memories_fts WHERE memories_fts MATCH 'PIN OR bank'").pluck().get(),
    ).toBe(0);
    await expect(fx.memory.edit(m!.id, { text: 'x' }, 'r')).rejects.toThrow(/forgotten/);
    expect(fx.memory.count()).toBe(0);
    expect(fx.memory.count({ status: 'all' })).toBe(1);
  });

  it('pin and unpin journal the flag without a new revision', async () => {
    fx = await memoryFixture();
    const [m] = await fx.memory.add([{ text: 'birthday is 4 May' }]);
    expect((await fx.memory.pin(m!.id, true)).pinned).toBe(true);
    expect(await fx.memory.pin(m!.id, false)).toMatchObject({ pinned: false, revision: 1 });
    expect(outbox(fx, m!.id).map((c) => [c.field, c.value])).toEqual([
      ['*', expect.any(String)],
      ['pinned', 'true'],
      ['pinned', 'false'],
    ]);
  });

  it('enqueue is acknowledged once its batch is durable; close flushes what is queued', async () => {
    fx = await memoryFixture({ 'memory.batch.size': 3, 'memory.batch.ms': 60_000 });
    const acks = [fx.memory.enqueue({ text: 'a' }), fx.memory.enqueue({ text: 'b' }), fx.memory.enqueue({ text: 'c' })];
    expect((await Promise.all(acks)).map((m) => m.text)).toEqual(['a', 'b', 'c']);
    const late = fx.memory.enqueue({ text: 'd' });
    expect(fx.memory.count()).toBe(3);
    await fx.reopen();
    expect((await late).text).toBe('d');
    expect(fx.memory.count()).toBe(4);
  });
});
