/** Deterministic synthetic memories and messages for the chat suite (the memory suite has its own corpus): seeded sentences. */
import { seededRandom } from '../core/random.js';

const SUBJECTS = [
  'my sister',
  'the garden',
  'our trip to Lisbon',
  'the new job',
  'my cat Miso',
  'the piano lessons',
  'the marathon',
  'grandma',
  'the book club',
  'the kitchen renovation',
  'my back pain',
  'the startup idea',
];
const VERBS = [
  'reminds me of',
  'was harder than',
  'made me think about',
  'is going better than',
  'keeps getting mixed up with',
  'surprised me more than',
  'feels connected to',
];
const OBJECTS = [
  'last summer',
  'the rainy weekend',
  'an old friend',
  'the deadline on Friday',
  'my first apartment',
  'a long walk',
  'the argument we had',
  'a quiet morning',
  'the doctor visit',
  'the concert',
];
const TAILS = [
  'and I want to remember it',
  'which matters to me',
  'but I am not sure why',
  'so I wrote it down',
  'and it made me smile',
  'again this week',
];

export function sentenceMaker(seed: number): () => string {
  const rnd = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  return () => `${pick(SUBJECTS)} ${pick(VERBS)} ${pick(OBJECTS)} ${pick(TAILS)} (${Math.floor(rnd() * 1e6)})`;
}

/** "10k", "100k", "1m": the dataset size in a case name, so thresholds and baselines never mix sizes. */
export function sizeLabel(n: number): string {
  if (n >= 1e6 && n % 1e6 === 0) return `${n / 1e6}m`;
  if (n >= 1e3 && n % 1e3 === 0) return `${n / 1e3}k`;
  return String(n);
}
