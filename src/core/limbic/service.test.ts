import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DAY_MS, HOUR_MS, fixedClock } from '../clock.js';
import { openDatabase } from '../store/db.js';
import { createJournal } from '../sync/journal.js';
import { tempDb } from '../../testing/temp-home.js';
import { perceive } from './perceive.js';
import { createLimbicService } from './service.js';

const rules = { maxDelta: 0.1, elasticMaxDelta: 0.3, reunionHours: 48 };
const T0 = Date.UTC(2026, 0, 1);

describe('limbic service', () => {
  let t: ReturnType<typeof tempDb>;
  const clock = fixedClock(T0);
  beforeEach(() => {
    t = tempDb();
    clock.set(T0);
  });
  afterEach(() => t.cleanup());
  const make = (db = t.db) => createLimbicService(db, createJournal(db, clock, 'devA'), clock, rules);

  it('starts at the documented defaults', () => {
    const s = make().read();
    expect([s.trust, s.warmth, s.arousal, s.valence, s.posture]).toEqual([0.5, 0.6, 0.7, 0.5, 'PEER']);
  });

  it('persists a turn with its causes and journals every changed field in the same transaction', () => {
    const svc = make();
    const { state, changes } = svc.applyTurn(
      perceive('I really love working with you on this project, it is great'),
      'turn1',
    );
    expect(state.valence).toBeGreaterThan(0.5);
    expect(state.interactionCount).toBe(1);
    expect(changes.some((c) => c.variable === 'trust' && c.cause.includes('engagement'))).toBe(true);
    const why = svc.why('valence');
    expect(why[0]?.cause).toMatch(/sentiment/);
    const outbox = t.db.prepare("SELECT field FROM outbox WHERE coll = 'limbic'").pluck().all() as string[];
    expect(outbox).toEqual(expect.arrayContaining(['valence', 'trust', 'interactionCount', 'lastInteractionAt']));
  });

  it('decays on read without writing, then persists the decay with the next change', () => {
    const svc = make();
    svc.adjust({ arousal: 0.5 }, 'test');
    const before = svc.read().arousal;
    clock.advance(2 * DAY_MS);
    expect(svc.read().arousal).toBeCloseTo(before * 0.85 ** 2, 10);
    expect(t.db.prepare('SELECT count(*) FROM limbic_log').pluck().get()).toBe(1);
    svc.adjust({ trust: 0.1 }, 'test');
    expect(svc.why('arousal')[0]?.cause).toMatch(/decay/);
  });

  it('reunion after ≥ 48 h: arousal ≥ 0.9 and warmth +0.05 on the first turn', () => {
    const svc = make();
    svc.applyTurn(perceive('hello'), 't1');
    const warmth = svc.read().warmth;
    clock.advance(50 * HOUR_MS);
    const { state } = svc.applyTurn(perceive('hello again'), 't2');
    expect(state.arousal).toBeGreaterThanOrEqual(0.9);
    expect(state.warmth).toBeCloseTo(warmth + 0.05 * (1 - warmth), 10);
  });

  it('elastic mode triples deltas', () => {
    const svc = make();
    svc.setElastic(true, 'interview');
    const { state } = svc.adjust({ trust: 0.1 }, 'x');
    expect(state.trust).toBeCloseTo(0.55, 12); // adjust is explicit: not scaled
    const turn = svc.applyTurn(perceive('I absolutely love and adore this wonderful amazing thing'), 't');
    const dv = turn.changes.find((c) => c.variable === 'valence')?.delta ?? 0;
    expect(dv).toBeGreaterThan(0.1);
    expect(dv).toBeLessThanOrEqual(0.3);
  });

  it('a second connection sees the first one’s writes (cache invalidated by version)', () => {
    const a = make();
    const db2 = openDatabase(t.paths.db);
    const b = make(db2);
    expect(b.read().trust).toBe(0.5);
    a.adjust({ trust: 0.1 }, 'from A');
    expect(b.read().trust).toBeCloseTo(0.55, 12);
    b.adjust({ trust: -0.1 }, 'from B');
    expect(a.read().trust).toBeCloseTo(0.495, 12);
    db2.close();
  });

  it('readJson is read() as JSON: as time passes, after a write here and after one by another connection', () => {
    const a = make();
    const db2 = openDatabase(t.paths.db);
    const b = make(db2);
    const same = () => expect(JSON.parse(b.readJson())).toEqual(b.read());
    same();
    clock.advance(1);
    same();
    clock.advance(HOUR_MS);
    same();
    b.adjust({ trust: 0.1 }, 'from B');
    same();
    a.adjust({ warmth: -0.1 }, 'from A, same millisecond');
    same();
    expect(JSON.parse(b.readJson()).warmth).toBeCloseTo(a.read().warmth, 12);
    db2.close();
  });

  it('rejects unknown variables and out-of-range deltas, changing nothing', () => {
    const svc = make();
    expect(() => svc.adjust({ mood: 0.1 } as never, 'x')).toThrow(/unknown limbic variable/);
    expect(() => svc.adjust({ trust: 7 }, 'x')).toThrow(/\[-1, 1\]/);
    expect(svc.read().version).toBe(0);
  });

  it('a rolled-back action costs trust 0.02', () => {
    expect(make().recordRollback('rename files').trust).toBeCloseTo(0.5 - 0.02 * 0.5, 12);
  });
});
