/**
 * Recall scoring (docs/memory-recall.md, "The recall rule"): score = 0.9·similarity + 0.05·freshness + 0.05·salience
 * with freshness = 1/(1 + age_hours/168), then the top k by score, leaving out near-duplicates of memories already
 * picked (and, only when memory.recall.lambda < 1, trading relevance for diversity by MMR).
 */
import { HOUR_MS } from '../clock.js';
import type { RecallScore } from './types.js';
import { dots } from './vectors.js';

/**
 * Measured on the tuning sets (docs/memory-recall.md): freshness at 0.2 (the old weight) cost 0.01–0.07 recall@10,
 * since what was said months ago is as likely to be asked about as yesterday's; at 0.05 it costs nothing measurable
 * and still breaks ties towards the newer memory, as salience (a pinned memory counts 1) does towards the important one.
 */
export const WEIGHTS = { similarity: 0.9, freshness: 0.05, salience: 0.05 };

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

/**
 * Reciprocal rank fusion's damping constant. The usual 60 (Cormack et al. 2009) is for fusing long lists; over the
 * ~50–100 candidates of one recall it flattens the head of each ranking so much that the weaker channel's ranks
 * decide (recall@10 fell by up to 0.2 when the lexical weight rose past 0.25). 5–10 keeps the head of each list
 * decisive; 7 is the middle of that plateau on the tuning sets (docs/memory-recall.md).
 */
export const RRF_K = 7;

/**
 * Hybrid similarity of candidates from two rankings: weighted reciprocal rank fusion, (1 − w)/(K + cosine rank) +
 * w/(K + BM25 rank) (no BM25 term for a candidate without a full-text hit), rescaled to 0..1 over the candidates.
 * Ranks, because the two scores live on unrelated scales (the built-in embedder's cosines of related texts are
 * 0.1–0.5, BM25 is unbounded); 0..1, so that the 0.7 weight of similarity in the score is not swamped by
 * freshness's 0.2 (with raw cosines, what was said yesterday outranked a better answer from last month).
 */
export function fuseRanks(cosines: number[], lexicals: number[], w: number, k = RRF_K): number[] {
  return fuseChannels(
    [
      { weight: 1 - w, scores: cosines },
      { weight: w, scores: lexicals.map((l) => (l > 0 ? l : undefined)) },
    ],
    k,
  );
}

/** One ranking of the candidates: `scores[i]` undefined when candidate i is not in it (it gets no term from it). */
export interface RankedChannel {
  weight: number;
  scores: (number | undefined)[];
  /**
   * The share of all memories this channel can rank (1: every one). Rank r among a share c is about rank r/c among
   * all memories, and is fused as such, so a channel that ranks a few memories does not crowd out the others' heads.
   */
  coverage?: number;
  /**
   * For candidates this channel cannot score at all (no vector yet), the rank they take in it instead: their rank in
   * another channel that can judge them (the words). Without it such a memory gets this channel's weight from no one.
   */
  standIn?: (number | undefined)[];
}

/** Ranks 1.. of the scored candidates, best first; equal scores share a rank (1, 2, 2, 4); undefined: unranked. */
export function ranksOf(scores: (number | undefined)[]): (number | undefined)[] {
  const ranks: (number | undefined)[] = scores.map(() => undefined);
  const order = scores
    .map((_, i) => i)
    .filter((i) => scores[i] !== undefined)
    .sort((a, b) => (scores[b] as number) - (scores[a] as number));
  let rank = 0;
  order.forEach((i, pos) => {
    if (pos === 0 || scores[i] !== scores[order[pos - 1] as number]) rank = pos + 1;
    ranks[i] = rank;
  });
  return ranks;
}

/**
 * Weighted reciprocal rank fusion of any number of rankings over the same candidates, rescaled to 0..1: each
 * channel adds weight/(K + rank within that channel) to the candidates it ranks. A channel ranks only its own
 * candidates, so rankings on unrelated scales (the vectors of two embedders during a switch) are never compared.
 */
export function fuseChannels(channels: RankedChannel[], k = RRF_K): number[] {
  const n = channels[0]?.scores.length ?? 0;
  const fused = new Float64Array(n);
  for (const { weight, scores, coverage = 1, standIn } of channels) {
    if (weight <= 0) continue;
    // Equal scores share a rank, so that equally similar memories stay equally similar.
    ranksOf(scores).forEach((rank, i) => {
      if (rank !== undefined) fused[i] = (fused[i] as number) + weight / (k + rank / Math.max(coverage, 1e-6));
      else if (standIn?.[i] !== undefined) fused[i] = (fused[i] as number) + weight / (k + (standIn[i] as number));
    });
  }
  const hi = Math.max(...fused);
  const lo = Math.min(...fused);
  return [...fused].map((f) => (hi > lo ? (f - lo) / (hi - lo) : 1));
}

/**
 * The weight of each former embedder's ranking during an embedder switch (old-vectors.ts), beside 1 − w for the
 * current vectors and w for the words, given the share of memories re-embedded so far: the words' weight at the start
 * (the hash embedder's vectors, the usual former ones, find less than the words do), the current vectors' at the end
 * (by then they stand in for vectors just like the current ones). Measured at 0–100 % re-embedded on the tuning sets
 * (docs/memory-recall.md, "During an embedder switch").
 */
export function oldVectorWeight(w: number, done: number): number {
  // The two ends of memory.recall.lexicalWeight: words alone, vectors alone (then the old vectors are the vectors).
  if (w >= 1) return 0;
  if (w <= 0) return 1;
  return w + (1 - 2 * w) * done;
}

export interface MmrCandidate {
  score: number;
  vector: Float32Array;
}

/**
 * Greedy maximal marginal relevance: repeatedly take the candidate maximising λ·score − (1−λ)·(its highest cosine
 * to anything already picked), never one whose highest cosine to them reaches `duplicate` (a near-duplicate adds
 * nothing to what is shown). λ = 1 is plain ranking by score with near-duplicates left out: the default, since any
 * diversity term cost recall (docs/memory-recall.md). Returns the picked indices in order with the MMR value each had
 * when picked; fewer than k when the rest are near-duplicates.
 */
export function mmr(
  cands: MmrCandidate[],
  k: number,
  lambda: number,
  duplicate = Infinity,
): { index: number; mmr: number }[] {
  if (lambda >= 1) return topWithoutDuplicates(cands, k, duplicate);
  const picked: { index: number; mmr: number }[] = [];
  const maxSim = new Float64Array(cands.length);
  const taken = new Uint8Array(cands.length);
  while (picked.length < Math.min(k, cands.length)) {
    let best = -1;
    let bestValue = -Infinity;
    for (let i = 0; i < cands.length; i++) {
      if (taken[i] || (maxSim[i] as number) >= duplicate) continue;
      const value =
        lambda * (cands[i] as MmrCandidate).score - (1 - lambda) * (picked.length ? (maxSim[i] as number) : 0);
      if (value > bestValue) {
        bestValue = value;
        best = i;
      }
    }
    if (best < 0) break;
    taken[best] = 1;
    picked.push({ index: best, mmr: bestValue });
    const open = [...taken.keys()].filter((i) => !taken[i]);
    const others = open.map((i) => (cands[i] as MmrCandidate).vector);
    const sims = dots((cands[best] as MmrCandidate).vector, others);
    open.forEach((i, j) => (maxSim[i] = Math.max(maxSim[i] as number, sims[j] as number)));
  }
  return picked;
}

/** λ = 1: the best k by score, each compared only with those picked before it (k² cosines instead of k·candidates). */
function topWithoutDuplicates(cands: MmrCandidate[], k: number, duplicate: number): { index: number; mmr: number }[] {
  const order = cands
    .map((_, i) => i)
    .sort((a, b) => (cands[b] as MmrCandidate).score - (cands[a] as MmrCandidate).score);
  const picked: { index: number; mmr: number }[] = [];
  for (const i of order) {
    if (picked.length >= k) break;
    if (duplicate < Infinity && picked.length) {
      const shown = picked.map((p) => (cands[p.index] as MmrCandidate).vector);
      if (dots((cands[i] as MmrCandidate).vector, shown).some((s) => s >= duplicate)) continue;
    }
    picked.push({ index: i, mmr: (cands[i] as MmrCandidate).score });
  }
  return picked;
}
