import { afterEach, describe, expect, it } from 'vitest';
import { DAY_MS } from '../clock.js';
import { memoryFixture, type MemoryFixture } from '../../testing/memory-fixture.js';

let fx: MemoryFixture;
afterEach(() => fx.cleanup());

describe('dream', () => {
  it('merges near-duplicates into the most salient, archives (never deletes) the others, and restores them', async () => {
    fx = await memoryFixture();
    const [low, high, other] = await fx.memory.add([
      { text: 'my favourite colour is deep blue', salience: 0.3 },
      { text: 'my favourite colour is deep blue', salience: 0.9 },
      { text: 'I was born in Quito' },
    ]);
    const dry = await fx.memory.dream({ dryRun: true });
    expect(dry).toMatchObject({ dryRun: true, merged: [{ kept: high!.id, archived: [low!.id] }] });
    expect(fx.memory.get(low!.id).status).toBe('active');
    const r = await fx.memory.dream();
    expect(r.merged).toEqual([{ kept: high!.id, archived: [low!.id] }]);
    expect(fx.memory.get(low!.id)).toMatchObject({
      status: 'archived',
      mergedInto: high!.id,
      text: 'my favourite colour is deep blue',
    });
    expect(fx.memory.get(other!.id).status).toBe('active');
    expect(fx.memory.count({ status: 'all' })).toBe(3);
    expect((await fx.memory.recall({ text: 'favourite colour', peek: true })).map((x) => x.memory.id)).not.toContain(
      low!.id,
    );
    const back = await fx.memory.restore(low!.id);
    expect(back).toMatchObject({ status: 'active', mergedInto: null });
    // Active again, so recallable: recall shows one of two identical texts (the more salient) unless near-duplicates
    // are kept (docs/memory-recall.md, "The recall rule").
    fx.config['memory.recall.duplicate'] = 1;
    expect((await fx.memory.recall({ text: 'favourite colour', peek: true })).map((x) => x.memory.id)).toContain(
      low!.id,
    );
    await expect(fx.memory.restore(other!.id)).rejects.toThrow(/not archived/);
  });

  it('does not merge memories below the threshold, or across actors, or pinned ones', async () => {
    fx = await memoryFixture();
    await fx.memory.add([
      { text: 'the meeting is on Monday' },
      { text: 'the meeting is on Friday' },
      { text: 'tea at five', actor: 'ana' },
      { text: 'tea at five', actor: 'creator' },
      { text: 'pinned fact', pinned: true, salience: 0.1 },
      { text: 'pinned fact', salience: 0.9 },
    ]);
    const r = await fx.memory.dream();
    expect(r.merged.map((m) => fx.memory.get(m.kept).text)).toEqual(['pinned fact']);
    expect(r.merged[0]!.archived.map((id) => fx.memory.get(id).pinned)).toEqual([false]);
  });

  it('fades old unrecalled memories, archives those that fall below the floor, leaves pinned and recent ones', async () => {
    fx = await memoryFixture({ 'memory.dream.staleDays': 30 });
    const [old, faint, pinned] = await fx.memory.add([
      { text: 'old news about a concert' },
      { text: 'a faint memory of rain', salience: 0.11 },
      { text: 'old but pinned', pinned: true },
    ]);
    fx.clock.advance(40 * DAY_MS);
    const [recent] = await fx.memory.add([{ text: 'brand new thing' }]);
    const r = await fx.memory.dream();
    expect(r).toMatchObject({ faded: 2, decayed: 1, merged: [] });
    expect(fx.memory.get(old!.id)).toMatchObject({ status: 'active', salience: 0.4 });
    expect(fx.memory.get(faint!.id).status).toBe('archived');
    expect(fx.memory.get(pinned!.id).salience).toBe(0.5);
    expect(fx.memory.get(recent!.id).salience).toBe(0.5);
    expect((await fx.memory.restore(faint!.id)).status).toBe('active');
    // Restored counts as recalled now: the next dream leaves it be.
    expect((await fx.memory.dream()).faded).toBe(1);
  });

  it('condenses the memories that fade out into a summary by the model, archived and linked to it', async () => {
    fx = await memoryFixture({ 'memory.dream.staleDays': 30 });
    const chat = { conversation: 'C1' };
    const olds = await fx.memory.add([
      { text: 'we planned the trip to Porto with Ana', salience: 0.11, source: chat },
      { text: 'Ana booked the train for the ninth of May', salience: 0.11, source: chat },
      { text: 'a lone faint thought about rain', salience: 0.11 },
    ]);
    fx.clock.advance(40 * DAY_MS);
    const asked: string[][] = [];
    const summarise = async (texts: string[]) => {
      asked.push(texts);
      return 'Ana and I planned a train trip to Porto for the ninth of May.';
    };
    expect(await fx.memory.dream({ dryRun: true, summarise })).toMatchObject({
      decayed: 3,
      summarised: 2,
      summaries: 1,
    });
    expect(asked).toEqual([]);
    const r = await fx.memory.dream({ summarise });
    expect(r).toMatchObject({ decayed: 3, summarised: 2, summaries: 1 });
    expect(asked).toEqual([['we planned the trip to Porto with Ana', 'Ana booked the train for the ninth of May']]);
    const summaryId = fx.memory.get(olds[0]!.id).mergedInto!;
    expect(fx.memory.get(summaryId)).toMatchObject({
      kind: 'summary',
      status: 'active',
      source: { via: 'dream' },
      createdAt: olds[1]!.createdAt,
    });
    expect(fx.memory.get(olds[1]!.id)).toMatchObject({
      status: 'archived',
      mergedInto: summaryId,
      text: 'Ana booked the train for the ninth of May',
    });
    expect(fx.memory.get(olds[2]!.id)).toMatchObject({ status: 'archived', mergedInto: null });
    const hits = await fx.memory.recall({ text: 'when is the train to Porto?', peek: true });
    expect(hits[0]!.memory.id).toBe(summaryId);
    expect(fx.changes.at(-2)).toEqual({ op: 'add', ids: [summaryId] });
  });

  it('archives as usual and says why when the model fails while summarising', async () => {
    fx = await memoryFixture({ 'memory.dream.staleDays': 30 });
    const olds = await fx.memory.add([
      { text: 'one', salience: 0.11, source: { conversation: 'C' } },
      { text: 'two', salience: 0.11, source: { conversation: 'C' } },
    ]);
    fx.clock.advance(40 * DAY_MS);
    const r = await fx.memory.dream({ summarise: async () => Promise.reject(new Error('connection refused')) });
    expect(r).toMatchObject({ decayed: 2, summarised: 0, summaries: 0, summaryError: 'connection refused' });
    expect(olds.map((m) => fx.memory.get(m.id))).toMatchObject([
      { status: 'archived', text: 'one' },
      { status: 'archived', text: 'two' },
    ]);
    expect(fx.memory.count({ status: 'all' })).toBe(2);
  });
});
