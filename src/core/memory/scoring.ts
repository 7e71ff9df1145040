/**
 * Recall scoring (docs/domain.md, "Memory"): score = 0.7·similarity + 0.2·freshness + 0.1·salience with
 * freshness = 1/(1 + age_hours/168), then greedy MMR over the candidates' vectors to pick k.
 */
import { HOUR_MS } from '../clock.js';
import type { RecallScore } from './types.js';
import { dot } from './vectors.js';

export const WEIGHTS = { similarity: 0.7, freshness: 0.2, salience: 0.1 };

export function freshness(createdAt: number, now: number): number {
  const ageHours = Math.max(0, now - createdAt) / HOUR_MS;
  return 1 / (1 + ageHours / 168);
}

export function scoreParts(
  similarity: number,
  createdAt: number,
  salience: number,
  now: number,
): Omit<RecallScore, 'mmr' | 'cosine' | 'lexical'> {
  const f = freshness(createdAt, now);
  return {
    similarity,
    freshness: f,
    salience,
    score: WEIGHTS.similarity * similarity + WEIGHTS.freshness * f + WEIGHTS.salience * salience,
  };
}

/** Reciprocal rank fusion's damping constant (Cormack et al. 2009): the usual 60, not tuned on our evaluation sets. */
export const RRF_K = 60;

/**
 * Hybrid similarity of candidates from two rankings: weighted reciprocal rank fusion, (1 − w)/(K + cosine rank) +
 * w/(K + BM25 rank) (no BM25 term for a candidate without a full-text hit), rescaled to 0..1 over the candidates.
 * Ranks, because the two scores live on unrelated scales (the built-in embedder's cosines of related texts are
 * 0.1–0.5, BM25 is unbounded); 0..1, so that the 0.7 weight of similarity in the score is not swamped by
 * freshness's 0.2 (with raw cosines, what was said yesterday outranked a better answer from last month).
 */
export function fuseRanks(cosines: number[], lexicals: number[], w: number, k = RRF_K): number[] {
  // Equal scores share a rank (1, 2, 2, 4), so that equally similar memories stay equally similar.
  const rankOf = (xs: number[]): Float64Array => {
    const order = xs.map((_, i) => i).sort((a, b) => (xs[b] as number) - (xs[a] as number));
    const r = new Float64Array(xs.length);
    order.forEach(
      (i, pos) =>
        (r[i] = pos > 0 && xs[i] === xs[order[pos - 1] as number] ? (r[order[pos - 1] as number] as number) : pos + 1),
    );
    return r;
  };
  const rc = rankOf(cosines);
  const rl = rankOf(lexicals);
  const fused = cosines.map(
    (_, i) => (1 - w) / (k + (rc[i] as number)) + ((lexicals[i] as number) > 0 ? w / (k + (rl[i] as number)) : 0),
  );
  const hi = Math.max(...fused);
  const lo = Math.min(...fused);
  return fused.map((f) => (hi > lo ? (f - lo) / (hi - lo) : 1));
}

export interface MmrCandidate {
  score: number;
  vector: Float32Array;
}

/**
 * Greedy maximal marginal relevance: repeatedly take the candidate maximising λ·score − (1−λ)·(its highest cosine
 * to anything already picked). Returns the picked indices in order with the MMR value each had when picked.
 */
export function mmr(cands: MmrCandidate[], k: number, lambda: number): { index: number; mmr: number }[] {
  const picked: { index: number; mmr: number }[] = [];
  const maxSim = new Float64Array(cands.length);
  const taken = new Uint8Array(cands.length);
  while (picked.length < Math.min(k, cands.length)) {
    let best = -1;
    let bestValue = -Infinity;
    for (let i = 0; i < cands.length; i++) {
      if (taken[i]) continue;
      const value =
        lambda * (cands[i] as MmrCandidate).score - (1 - lambda) * (picked.length ? (maxSim[i] as number) : 0);
      if (value > bestValue) {
        bestValue = value;
        best = i;
      }
    }
    taken[best] = 1;
    picked.push({ index: best, mmr: bestValue });
    const v = (cands[best] as MmrCandidate).vector;
    for (let i = 0; i < cands.length; i++) {
      if (!taken[i]) maxSim[i] = Math.max(maxSim[i] as number, dot(v, (cands[i] as MmrCandidate).vector));
    }
  }
  return picked;
}
