import { describe, expect, it } from 'vitest';
import type { RecalledMemory } from '../memory/types.js';
import { offlineReply } from './offline-reply.js';

const recalled = (text: string, score: Partial<RecalledMemory['score']>): RecalledMemory => ({
  memory: {
    id: 'M1',
    text,
    kind: 'fact',
    actor: 'creator',
    source: {},
    createdAt: Date.UTC(2026, 0, 5),
    updatedAt: 0,
    salience: 0.5,
    pinned: false,
    status: 'active',
    mergedInto: null,
    revision: 1,
    embedder: 'e',
    recallCount: 0,
    lastRecalledAt: null,
  },
  score: { similarity: 0, freshness: 0, salience: 0.5, score: 0, mmr: 0, ...score },
  rank: 1,
});

describe('offline reply', () => {
  it('labels itself, answers from memories that fit, with their dates, and ends with the hint', () => {
    const r = offlineReply([recalled('Maya lives in Lisbon', { similarity: 1, cosine: 0.4 })], 'PEER', 'start Ollama');
    expect(r.split('\n')).toEqual([
      "[offline] I can't reach a language model at the moment.",
      'From what I remember:',
      '- Maya lives in Lisbon (2026-01-05)',
      '(start Ollama)',
    ]);
  });

  it('does not pass off the best of unrelated memories as an answer (a fused similarity is relative)', () => {
    const r = offlineReply(
      [recalled('the tram is packed', { similarity: 1, cosine: 0.01, lexical: 0 })],
      'COMPANION',
      'h',
    );
    expect(r).toMatch(/don't remember anything about this yet/);
    expect(r).not.toMatch(/tram/);
  });
});
