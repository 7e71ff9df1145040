import { describe, expect, it } from 'vitest';
import type { EngineEvent } from '../events.js';
import { foldTurn, foldTurnEvent, newTurnOutcome, turnFailure } from './turn-fold.js';

const stats = { latencyMs: 12, firstTokenMs: 3, tokens: 2, tokensPerSecond: 100 };
const start: EngineEvent = {
  type: 'start',
  turnId: 't1',
  conversationId: 'c1',
  mode: 'FULL',
  posture: 'PEER',
  model: 'm',
};
const tokens: EngineEvent[] = [
  { type: 'token', turnId: 't1', text: 'Hel' },
  { type: 'token', turnId: 't1', text: 'lo' },
];

async function* stream(events: EngineEvent[]): AsyncGenerator<EngineEvent> {
  yield* events;
}

describe('folding a turn', () => {
  it('reads a finished turn: ids, mode, tokens, then the stored reply and its flags', async () => {
    const seen: string[] = [];
    const t = await foldTurn(
      stream([
        start,
        { type: 'recall', turnId: 't1', memories: [] },
        ...tokens,
        {
          type: 'done',
          turnId: 't1',
          messageId: 'm1',
          reply: 'Hello',
          interrupted: false,
          truncated: false,
          offline: true,
          cached: false,
          mode: 'OFFLINE',
          stats,
        },
      ]),
      (ev) => seen.push(ev.type),
    );
    expect(seen).toEqual(['start', 'recall', 'token', 'token', 'done']);
    expect(t).toMatchObject({
      turnId: 't1',
      conversationId: 'c1',
      model: 'm',
      posture: 'PEER',
      mode: 'OFFLINE',
      recalled: [],
      reply: 'Hello',
      messageId: 'm1',
      offline: true,
      stats,
      error: null,
      ended: true,
    });
    expect(turnFailure(t)).toBeUndefined();
  });

  it('keeps the tokens as the reply while it streams, and has no recall before the recall event', () => {
    const t = [start, ...tokens].reduce(foldTurnEvent, newTurnOutcome());
    expect(t.reply).toBe('Hello');
    expect(t.recalled).toBeNull();
    expect(t.ended).toBe(false);
  });

  it('turns an error event into the failure every front end throws, with the partial reply', async () => {
    const t = await foldTurn(
      stream([
        start,
        ...tokens,
        {
          type: 'error',
          turnId: 't1',
          error: { code: 'LLM_STREAM_CUT', message: 'cut' },
          partial: 'Hello',
          messageId: 'm2',
        },
      ]),
    );
    const failure = turnFailure(t);
    expect(failure?.code).toBe('LLM_STREAM_CUT');
    // The same code gives the CLI its exit code and the server its status: they agree on the failure.
    expect([failure?.exitCode, failure?.httpStatus]).toEqual([4, 502]);
    expect(failure?.details).toEqual({ turnId: 't1', partial: 'Hello', messageId: 'm2' });
    expect(t).toMatchObject({ reply: 'Hello', messageId: 'm2', ended: true });
  });
});
