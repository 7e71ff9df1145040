/**
 * Recall scoring (domain.md, "Memory"): score = 0.7·similarity + 0.2·freshness + 0.1·salience with
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

export function scoreParts(similarity: number, createdAt: number, salience: number, now: number): Omit<RecallScore, 'mmr' | 'cosine' | 'lexical'> {
  const f = freshness(createdAt, now);
  return { similarity, freshness: f, salience, score: WEIGHTS.similarity * similarity + WEIGHTS.freshness * f + WEIGHTS.salience * salience };
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
      const value = lambda * (cands[i] as MmrCandidate).score - (1 - lambda) * (picked.length ? (maxSim[i] as number) : 0);
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
