/**
 * Contextual memories (docs/memory-recall.md): an interaction is indexed with the end of the one before it in its
 * conversation, in the full-text index and in its vector, and is still shown and exported as its own text; the
 * context follows forgets (purged), edits, and memories written out of order.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { memoryFixture, type MemoryFixture } from '../../testing/memory-fixture.js';
import { CONTEXT_CHARS, contextText, contextualVectors, threadOf } from './thread.js';
import { createBuiltinEmbedder } from './embedder-builtin.js';
import { dot, fromBlob } from './vectors.js';

let fx: MemoryFixture;
beforeEach(async () => (fx = await memoryFixture()));
afterEach(() => fx.cleanup());

const turn = (text: string, at: number, conversation = 'c1') => ({
  text,
  createdAt: at,
  source: { conversation, turn: `t${at}`, via: 'test' },
});
const ctxOf = (id: string) =>
  fx.db.prepare('SELECT context, context_id AS contextId FROM memories WHERE id = ?').get(id) as {
    context: string;
    contextId: string | null;
  };
const fts = (word: string) =>
  fx.db
    .prepare('SELECT m.id FROM memories_fts JOIN memories m ON m.label = memories_fts.rowid WHERE memories_fts MATCH ?')
    .pluck()
    .all(`"${word}"`) as string[];

describe('contextual memories', () => {
  it('only interactions that name a conversation are threaded; a context is the end of the text before', () => {
    expect(threadOf('interaction', { conversation: 'c1' })).toBe('c1');
    expect(threadOf('fact', { conversation: 'c1' })).toBeNull();
    expect(threadOf('interaction', { via: 'cli' })).toBeNull();
    const long = `${'😀'.repeat(10)}${'x'.repeat(CONTEXT_CHARS)}`;
    expect(contextText(long)).toBe('x'.repeat(CONTEXT_CHARS));
    expect(contextText(`🙂${'y'.repeat(CONTEXT_CHARS - 1)}`)).toBe(`🙂${'y'.repeat(CONTEXT_CHARS - 1)}`);
  });

  it('indexes a reply with the turn it answers, in both channels, and shows and exports its own text', async () => {
    const [q, a, other, fact] = await fx.memory.add([
      turn('Did you end up going to the pottery class?', 1000),
      turn('Yes, last Tuesday! I made a wonky bowl.', 2000),
      turn('What pottery?', 1500, 'c2'),
      {
        text: 'My sister lives in Manchester.',
        kind: 'fact' as const,
        createdAt: 2500,
        source: { conversation: 'c1' },
      },
    ]);
    expect(ctxOf(a!.id)).toEqual({ context: q!.text, contextId: q!.id });
    expect(ctxOf(q!.id)).toEqual({ context: '', contextId: null });
    expect(ctxOf(other!.id).contextId).toBeNull();
    expect(ctxOf(fact!.id).contextId).toBeNull();
    expect(fts('pottery').sort()).toEqual([q!.id, a!.id, other!.id].sort());
    const [want] = await contextualVectors(createBuiltinEmbedder(), [{ text: a!.text, context: q!.text }]);
    const stored = fromBlob(fx.db.prepare('SELECT vector FROM memories WHERE id = ?').pluck().get(a!.id) as Buffer);
    expect(dot(stored, want as Float32Array)).toBeCloseTo(1, 5);
    expect(fx.memory.get(a!.id).text).toBe('Yes, last Tuesday! I made a wonky bowl.');
    const exported = [...fx.memory.exportJsonl()].join('\n');
    expect(exported).not.toContain('context');
    expect(exported.match(/pottery/g)).toHaveLength(2);
  });

  it('takes the context from the memory before in the same batch or already written, whichever is later', async () => {
    const [first] = await fx.memory.add([turn('one', 1000)]);
    const [late, early] = await fx.memory.add([turn('three', 3000), turn('two', 2000)]);
    expect(ctxOf(early!.id).contextId).toBe(first!.id);
    expect(ctxOf(late!.id).contextId).toBe(early!.id);
    // Written later between two others: the one after it now answers it.
    const [between] = await fx.memory.add([turn('two and a half', 2500)]);
    expect(ctxOf(between!.id).contextId).toBe(early!.id);
    expect(ctxOf(late!.id)).toEqual({ context: 'two and a half', contextId: between!.id });
    // Equal times: the order written.
    const [x, y] = await fx.memory.add([turn('same time a', 9000, 'c3'), turn('same time b', 9000, 'c3')]);
    expect(ctxOf(y!.id).contextId).toBe(x!.id);
  });

  it('forgetting a memory purges it from the next one’s context and vector', async () => {
    const [a, secret, c] = await fx.memory.add([
      turn('How was the weekend?', 1000),
      turn('I told my therapist about the zeppelin dream.', 2000),
      turn('It was quiet otherwise.', 3000),
    ]);
    expect(fts('zeppelin').sort()).toEqual([secret!.id, c!.id].sort());
    await fx.memory.forget(secret!.id);
    expect(fts('zeppelin')).toEqual([]);
    expect(ctxOf(c!.id)).toEqual({ context: a!.text, contextId: a!.id });
    const row = fx.db.prepare('SELECT vector, embedder FROM memories WHERE id = ?').get(c!.id) as {
      vector: Buffer;
      embedder: string;
    };
    expect(row.embedder).toBe(fx.memory.get(c!.id).embedder);
    const [want] = await contextualVectors(createBuiltinEmbedder(), [{ text: c!.text, context: a!.text }]);
    expect(dot(fromBlob(row.vector), want as Float32Array)).toBeCloseTo(1, 5);
    expect(ctxOf(secret!.id)).toEqual({ context: '', contextId: null });
  });

  it('editing a memory changes the next one’s context; a kind that leaves the thread drops its own', async () => {
    const [a, b] = await fx.memory.add([turn('Where did you park?', 1000), turn('Near the station.', 2000)]);
    await fx.memory.edit(a!.id, { text: 'Where did you leave the bike?' }, 'typo');
    expect(ctxOf(b!.id).context).toBe('Where did you leave the bike?');
    expect(fts('park')).toEqual([]);
    await fx.memory.edit(b!.id, { kind: 'fact' }, 'a fact');
    expect(ctxOf(b!.id)).toEqual({ context: '', contextId: null });
  });

  it('an import names its conversation and order: createdAt, then the order of the lines', async () => {
    const lines = [
      { text: 'Any plans for Saturday?', createdAt: Date.UTC(2026, 0, 2), source: { conversation: 'imp' } },
      { text: 'A picnic at the lake!', createdAt: Date.UTC(2026, 0, 2), source: { conversation: 'imp' } },
      { text: 'Standalone note.', createdAt: Date.UTC(2026, 0, 2) },
    ].map((l) => JSON.stringify(l));
    const report = await fx.memory.importJsonl(lines);
    expect(report.imported).toBe(3);
    const byText = new Map(
      (fx.db.prepare('SELECT id, text FROM memories').all() as { id: string; text: string }[]).map((r) => [
        r.text,
        r.id,
      ]),
    );
    expect(ctxOf(byText.get('A picnic at the lake!')!)).toEqual({
      context: 'Any plans for Saturday?',
      contextId: byText.get('Any plans for Saturday?'),
    });
    expect(ctxOf(byText.get('Standalone note.')!).contextId).toBeNull();
    expect(fts('saturday')).toHaveLength(2);
  });
});
