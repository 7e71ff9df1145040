import { describe, expect, it } from 'vitest';
import { byCategory, evidenceRecallAt, recallFigures, type QuestionOutcome } from './score.js';

const q = (category: string, ranked: string[], evidence: string[]): QuestionOutcome => ({
  category,
  ranked,
  evidence,
  latencyNs: 1000,
});

describe('evidence recall', () => {
  it('is the share of the evidence among the first k turns recalled', () => {
    expect(evidenceRecallAt(['a', 'b', 'c'], ['b'], 1)).toBe(0);
    expect(evidenceRecallAt(['a', 'b', 'c'], ['b'], 2)).toBe(1);
    expect(evidenceRecallAt(['a', 'b', 'c'], ['c', 'z'], 3)).toBe(0.5);
    expect(evidenceRecallAt([], ['a'], 10)).toBe(0);
  });

  it('averages over questions for every k, and groups by category', () => {
    const outcomes = [q('x', ['a', 'b'], ['b']), q('y', ['c', 'd'], ['c', 'e']), q('x', ['f'], ['g'])];
    expect(recallFigures(outcomes, [1, 2])).toEqual({ questions: 3, recall: { 1: 0.1667, 2: 0.5 } });
    expect([...byCategory(outcomes)].map(([c, l]) => [c, l.length])).toEqual([
      ['x', 2],
      ['y', 1],
    ]);
    expect(recallFigures([], [5])).toEqual({ questions: 0, recall: { 5: 0 } });
  });
});
