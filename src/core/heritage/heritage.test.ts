import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../clock.js';
import { openDatabase } from '../store/db.js';
import { createJournal } from '../sync/journal.js';
import { tempDb } from '../../testing/temp-home.js';
import { summariseInterview, splitItems } from './interview.js';
import { createHeritageService, hashHeritage } from './service.js';
import { identitySummary } from './summary.js';
import { listTemplates, loadTemplate } from './templates.js';
import { validateHeritage } from './types.js';

describe('heritage documents', () => {
  it('ships valid templates', () => {
    expect(listTemplates()).toEqual(expect.arrayContaining(['companion', 'mentor', 'spark']));
    for (const t of listTemplates()) expect(loadTemplate(t).name.length).toBeGreaterThan(0);
    expect(() => loadTemplate('nope')).toThrow(/unknown heritage template/);
  });
  it('rejects bad documents naming the field', () => {
    const good = loadTemplate('companion');
    expect(() => validateHeritage({ ...good, name: '' })).toThrow(/heritage.name/);
    expect(() => validateHeritage({ ...good, values: 'honesty' })).toThrow(/heritage.values/);
    expect(() => validateHeritage({ ...good, voice: { ...good.voice, formality: 2 } })).toThrow(/formality/);
    expect(() => validateHeritage({ ...good, colour: 'blue' })).toThrow(/unknown heritage field/);
    expect(() => validateHeritage([1])).toThrow(/JSON object/);
  });
  it('hashes canonically (key order does not matter)', () => {
    const h = loadTemplate('companion');
    const reordered = Object.fromEntries(Object.entries(h).reverse()) as typeof h;
    expect(hashHeritage(reordered)).toBe(hashHeritage(h));
  });
  it('builds a compact identity summary of about twenty lines', () => {
    const s = identitySummary(loadTemplate('companion'));
    expect(s).toMatch(/^You are Progeny/);
    expect(s.split('\n').length).toBeLessThanOrEqual(20);
  });
});

describe('heritage versions', () => {
  let t: ReturnType<typeof tempDb>;
  const clock = fixedClock(1_700_000_000_000);
  let trust = 0.5;
  beforeEach(() => (t = tempDb()));
  afterEach(() => t.cleanup());
  const make = (db = t.db) => createHeritageService(db, createJournal(db, clock, 'devA'), clock, () => trust);

  it('versions every change with reason, trust, hash and changed fields; restore is a new version', () => {
    const svc = make();
    expect(svc.exists()).toBe(false);
    expect(() => svc.current()).toThrow(
      expect.objectContaining({ code: 'NO_HERITAGE', actions: [{ action: 'init' }] }),
    );
    const base = loadTemplate('companion');
    svc.update(base, 'init from template companion');
    trust = 0.7;
    const v2 = svc.update({ ...base, style: 'terse' }, 'creator prefers terse');
    expect(v2).toMatchObject({ version: 2, trust: 0.7, changed: ['style'] });
    const v3 = svc.restore(1);
    expect(v3.version).toBe(3);
    expect(v3.hash).toBe(svc.show(1).hash);
    expect(svc.history().map((h) => h.reason)).toEqual([
      'init from template companion',
      'creator prefers terse',
      'restore version 1',
    ]);
    expect(() => svc.show(9)).toThrow(/not found/);
  });

  it('guards the immutable base and refuses empty reasons and no-op changes', () => {
    const svc = make();
    const base = loadTemplate('companion');
    svc.update(base, 'init');
    expect(() => svc.update({ ...base, values: ['speed'] }, 'x')).toThrow(/immutable base/);
    expect(svc.update({ ...base, values: ['speed'] }, 'x', { allowBase: true }).version).toBe(2);
    expect(() => svc.update({ ...base, values: ['speed'] }, 'again')).toThrow(/nothing changed/);
    expect(() => svc.update({ ...base, style: 'y' }, '  ')).toThrow(/reason/);
    expect(svc.history()).toHaveLength(2);
  });

  it('journals changed fields, and another connection sees new versions', () => {
    const a = make();
    const base = loadTemplate('companion');
    a.update(base, 'init');
    const db2 = openDatabase(t.paths.db);
    const b = make(db2);
    expect(b.current().version).toBe(1);
    a.update({ ...base, notes: 'likes tea' }, 'learned');
    expect(b.current().doc.notes).toBe('likes tea');
    expect(b.summary()).toContain('You are Progeny');
    const fields = t.db.prepare("SELECT field FROM outbox WHERE coll = 'heritage' ORDER BY seq").pluck().all();
    expect(fields.at(-1)).toBe('notes');
    db2.close();
  });
});

describe('interview', () => {
  it('splits answers into items', () => {
    expect(splitItems('honesty, kindness and courage; patience.')).toEqual([
      'honesty',
      'kindness',
      'courage',
      'patience',
    ]);
    expect(splitItems(undefined)).toEqual([]);
  });
  it('summarises answers into the heritage fields', () => {
    const h = summariseInterview(loadTemplate('companion'), {
      creator: 'Ada',
      name: 'Wren',
      boundaries: 'lie to me, spend money',
      values: 'honesty and curiosity',
      voice: 'casual, with dry humour',
      traits: 'warm, sharp, patient',
      interests: 'gardening, compilers',
      load: 'work deadlines',
    });
    expect(h).toMatchObject({ name: 'Wren', creator: 'Ada', core_traits: ['warm', 'sharp', 'patient'] });
    expect(h.boundaries).toEqual(expect.arrayContaining(['lie to me', 'spend money']));
    expect(h.voice.formality).toBe(0.25);
    expect(h.voice.humor).toBe('dry');
    expect(h.notes).toContain('work deadlines');
    expect(() => validateHeritage(h)).not.toThrow();
  });
});
