/**
 * A deterministic conversational corpus for the benchmarks: short first-person memories built from templates and
 * word lists with a seeded generator, so every run and every machine measures the same data.
 */
import { seededRandom } from '../core/random.js';

const NAMES = [
  'Ana',
  'Ben',
  'Chloé',
  'Dmitri',
  'Emma',
  'Farid',
  'Grace',
  'Hiro',
  'Inès',
  'Jonas',
  'Kofi',
  'Lena',
  'Mateo',
  'Nora',
  'Omar',
  'Priya',
  'Quentin',
  'Rosa',
  'Sami',
  'Tara',
];
const PLACES = [
  'Lyon',
  'the park',
  'Porto',
  'the office',
  'grandma’s house',
  'Kyoto',
  'the gym',
  'the library',
  'Nairobi',
  'the lake',
  'Berlin',
  'the market',
  'school',
  'the hospital',
  'Quito',
  'the beach',
];
const ACTS = [
  'learning the cello',
  'training for a marathon',
  'painting the kitchen',
  'reading about volcanoes',
  'baking sourdough',
  'fixing the bike',
  'planning a trip',
  'studying for the exam',
  'writing a novel',
  'growing tomatoes',
  'looking for a new job',
  'adopting a cat',
  'learning Japanese',
  'moving house',
  'building a website',
  'knitting a scarf',
];
const FEELS = ['happy', 'worried', 'tired', 'excited', 'nervous', 'proud', 'bored', 'calm', 'stressed', 'curious'];
const TIMES = [
  'yesterday',
  'last week',
  'on Monday',
  'this morning',
  'in March',
  'every Sunday',
  'tonight',
  'two years ago',
  'after work',
  'at dawn',
];
const TEMPLATES = [
  (p: Pick) => `${p.name} has been ${p.act} ${p.time} in ${p.place}`,
  (p: Pick) => `I felt ${p.feel} about ${p.act} with ${p.name}`,
  (p: Pick) => `We talked about ${p.act}; ${p.name} thinks ${p.place} is the best place for it`,
  (p: Pick) => `${p.name} called ${p.time}, ${p.feel}, from ${p.place}`,
  (p: Pick) => `Reminder: ${p.name} wants to meet at ${p.place} ${p.time} (note ${p.n})`,
  (p: Pick) => `I told you I am ${p.act} because ${p.name} suggested it; I feel ${p.feel}`,
];

interface Pick {
  name: string;
  place: string;
  act: string;
  feel: string;
  time: string;
  n: number;
}

export function createCorpus(seed: number) {
  const rand = seededRandom(seed);
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const next = (): Pick => ({
    name: pick(NAMES),
    place: pick(PLACES),
    act: pick(ACTS),
    feel: pick(FEELS),
    time: pick(TIMES),
    n: Math.floor(rand() * 100_000),
  });
  return {
    memory: (): string => pick(TEMPLATES)(next()),
    query: (): string => {
      const p = next();
      return pick([
        `what is ${p.name} doing?`,
        `who is ${p.act}?`,
        `how did I feel about ${p.act}`,
        `when did ${p.name} go to ${p.place}`,
        `${p.name} ${p.place}`,
      ]);
    },
    random: rand,
  };
}
