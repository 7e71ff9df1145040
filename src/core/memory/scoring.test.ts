import { describe, expect, it } from 'vitest';
import { HOUR_MS } from '../clock.js';
import { freshness, fuseChannels, fuseRanks, mmr, RRF_K, scoreParts } from './scoring.js';
import { normalise } from './vectors.js';

const v = (...xs: number[]) => normalise(Float32Array.from(xs));

describe('recall scoring', () => {
  it('freshness is 1 now, 1/2 after a week, 1/3 after two weeks', () => {
    expect(freshness(0, 0)).toBe(1);
    expect(freshness(0, 168 * HOUR_MS)).toBeCloseTo(0.5, 12);
    expect(freshness(0, 336 * HOUR_MS)).toBeCloseTo(1 / 3, 12);
    // A memory from the future (clock skew between devices) is not fresher than now.
    expect(freshness(10 * HOUR_MS, 0)).toBe(1);
  });

  it('score = 0.9·similarity + 0.05·freshness + 0.05·salience', () => {
    const s = scoreParts(0.8, 0, 0.4, 168 * HOUR_MS);
    expect(s.score).toBeCloseTo(0.9 * 0.8 + 0.05 * 0.5 + 0.05 * 0.4, 12);
    expect(s).toMatchObject({ similarity: 0.8, freshness: 0.5, salience: 0.4 });
  });
});

describe('hybrid rank fusion', () => {
  it('weights reciprocal ranks, counts BM25 only for full-text hits, and rescales to 0..1', () => {
    const sims = fuseRanks([0.3, 0.2, 0.1], [0, 1, 0.5], 0.4);
    const raw = [0.6 / (RRF_K + 1), 0.6 / (RRF_K + 2) + 0.4 / (RRF_K + 1), 0.6 / (RRF_K + 3) + 0.4 / (RRF_K + 2)];
    const [lo, hi] = [Math.min(...raw), Math.max(...raw)];
    raw.forEach((f, i) => expect(sims[i]).toBeCloseTo((f - lo) / (hi - lo), 12));
    // The second is first by fusion although second by cosine; the first, with no full-text hit, is now last.
    expect(sims[1]).toBe(1);
    expect(sims[0]).toBe(0);
  });

  it('a lone candidate, or candidates alike in both rankings, are fully similar', () => {
    expect(fuseRanks([0.2], [0], 0.4)).toEqual([1]);
    expect(fuseRanks([], [], 0.4)).toEqual([]);
    expect(fuseRanks([0.5, 0.5], [1, 1], 0.4)).toEqual([1, 1]);
    // Ties share a rank: the two equal cosines are both second.
    expect(fuseRanks([0.1, 0.5, 0.5], [0, 0, 0], 0.4)).toEqual([0, 1, 1]);
  });

  it('several channels: each ranks only its own candidates, on its own scale, as ranks among all memories', () => {
    // Two embedders' cosines (one switched to, one on its way out) are never compared: the old one's 0.9 does not
    // outrank the new one's 0.3; each channel's first gets the first place's term, scaled by its coverage.
    const current = [0.3, 0.2, undefined, undefined];
    const old = [undefined, undefined, 0.9, 0.1];
    const raw = fuseChannels(
      [
        { weight: 0.6, scores: current, coverage: 0.5 },
        { weight: 0.6, scores: old, coverage: 0.5 },
      ],
      RRF_K,
    );
    expect(raw[0]).toBeCloseTo(raw[2] as number, 12);
    expect(raw[1]).toBeCloseTo(raw[3] as number, 12);
    // A channel covering a quarter of the memories: its first is about the fourth among all of them.
    const quarter = fuseChannels([
      { weight: 1, scores: [0.9, undefined], coverage: 0.25 },
      { weight: 1, scores: [undefined, 0.2], coverage: 1 },
    ]);
    expect(quarter).toEqual([0, 1]);
    const sims = fuseChannels([{ weight: 1, scores: [0.9, undefined, 0.1], coverage: 0.25 }]);
    expect(sims[2]).toBeCloseTo(1 / (RRF_K + 8) / (1 / (RRF_K + 4)), 12);
  });
});

describe('MMR', () => {
  const a = v(1, 0, 0);
  const a2 = v(1, 0.05, 0);
  const b = v(0, 1, 0);

  it('λ = 1 is plain ranking by score', () => {
    const picks = mmr(
      [
        { score: 0.9, vector: a },
        { score: 0.85, vector: a2 },
        { score: 0.5, vector: b },
      ],
      2,
      1,
    );
    expect(picks.map((p) => p.index)).toEqual([0, 1]);
  });

  it('λ = 0.5 skips a near-duplicate of what is already picked for something different', () => {
    const picks = mmr(
      [
        { score: 0.9, vector: a },
        { score: 0.85, vector: a2 },
        { score: 0.5, vector: b },
      ],
      2,
      0.5,
    );
    expect(picks.map((p) => p.index)).toEqual([0, 2]);
    // The recorded MMR value of the second pick: 0.5·0.5 − 0.5·cos(b, a) = 0.25.
    expect(picks[1]!.mmr).toBeCloseTo(0.25, 6);
    expect(picks[0]!.mmr).toBeCloseTo(0.45, 6);
  });

  it('leaves out a near-duplicate of what is already picked, whatever λ, and then returns fewer than k', () => {
    const cands = [
      { score: 0.9, vector: a },
      { score: 0.85, vector: a2 },
      { score: 0.5, vector: b },
    ];
    // cos(a, a2) ≈ 0.9988: at or above the threshold it is a near-duplicate; cos(a, b) = 0 never is.
    expect(mmr(cands, 2, 1, 0.95).map((p) => p.index)).toEqual([0, 2]);
    expect(mmr(cands, 2, 1, 0.999).map((p) => p.index)).toEqual([0, 1]);
    expect(mmr(cands, 2, 0.9, 0.95).map((p) => p.index)).toEqual([0, 2]);
    expect(mmr(cands, 3, 1, 0.95).map((p) => p.index)).toEqual([0, 2]);
    expect(mmr([cands[0]!, cands[1]!], 2, 0.5, 0.95).map((p) => p.index)).toEqual([0]);
    // λ = 1 records each pick's score as its MMR value.
    expect(mmr(cands, 2, 1, 0.95).map((p) => p.mmr)).toEqual([0.9, 0.5]);
  });

  it('never returns more than it has', () => {
    expect(mmr([{ score: 1, vector: a }], 5, 0.5)).toHaveLength(1);
    expect(mmr([], 5, 0.5)).toEqual([]);
    expect(mmr([{ score: 1, vector: a }], 5, 1)).toHaveLength(1);
  });
});
