export { seededRandom as seeded } from '../../core/random.js';
export const pick = <T>(random: () => number, items: readonly T[]): T =>
  items[Math.floor(random() * items.length)] as T;
