import { afterEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../clock.js';
import { createJournal } from '../sync/journal.js';
import { tempDb } from '../../testing/temp-home.js';
import { createConversationService } from './conversations.js';

let t: ReturnType<typeof tempDb>;
afterEach(() => t.cleanup());

function setup() {
  t = tempDb();
  const clock = fixedClock(Date.UTC(2026, 0, 1));
  const journal = createJournal(t.db, clock, 'DEV');
  return { svc: createConversationService(t.db, journal, clock), journal };
}

const synchronous = (): number => t.db.pragma('synchronous', { simple: true }) as number;

describe('conversations', () => {
  it('appends durable and non-durable messages alike, each with its sync change, and stays FULL afterwards', () => {
    const { svc } = setup();
    const c = svc.create('creator');
    svc.append(
      { conversationId: c.id, turnId: 'T1', role: 'user', text: 'hello there', status: 'complete', meta: {} },
      { durable: false },
    );
    expect(synchronous()).toBe(2); // FULL: only that one commit skipped its fsync
    svc.append({
      conversationId: c.id,
      turnId: 'T1',
      role: 'assistant',
      text: 'hi!',
      status: 'complete',
      meta: { mode: 'ONLINE' },
    });
    expect(svc.messages(c.id).map((m) => [m.role, m.text])).toEqual([
      ['user', 'hello there'],
      ['assistant', 'hi!'],
    ]);
    expect(svc.get(c.id).title).toBe('hello there');
    const changes = t.db.prepare("SELECT count(*) FROM outbox WHERE coll = 'message'").pluck().get() as number;
    expect(changes).toBe(3); // the conversation and both messages
  });

  it('keeps errors and empty replies out of the prompt history', () => {
    const { svc } = setup();
    const c = svc.create('creator');
    const say = (role: 'user' | 'assistant', text: string, status: 'complete' | 'error' | 'interrupted' = 'complete') =>
      svc.append({ conversationId: c.id, turnId: 'T', role, text, status, meta: {} });
    say('user', 'one');
    say('assistant', 'failed', 'error');
    say('user', 'two');
    say('assistant', 'half a rep', 'interrupted');
    say('user', 'three');
    say('assistant', '   ');
    expect(svc.recentTurns(c.id, 2)).toEqual([
      { role: 'user', content: 'two' },
      { role: 'assistant', content: 'half a rep' },
      { role: 'user', content: 'three' },
    ]);
    expect(svc.recentTurns(c.id, 0)).toEqual([]);
  });

  it('names an unknown conversation with a hint', () => {
    const { svc } = setup();
    expect(() => svc.get('nope')).toThrow(/conversation/);
  });
});
