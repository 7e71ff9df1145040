/** The compact identity summary (≈20 lines) that opens every prompt, built once per heritage version. */
import type { Heritage } from './types.js';

const join = (xs: string[], max = 6): string => xs.slice(0, max).join('; ');

export function identitySummary(h: Heritage): string {
  const lines = [`You are ${h.name}, a companion created by ${h.creator}.`, `Prime directive: ${h.prime_directive}`];
  if (h.core_traits.length) lines.push(`Core traits: ${join(h.core_traits)}.`);
  if (h.values.length) lines.push(`Values: ${join(h.values)}.`);
  if (h.boundaries.length) lines.push(`Never: ${join(h.boundaries)}.`);
  const formality = h.voice.formality >= 0.7 ? 'formal' : h.voice.formality <= 0.3 ? 'casual' : 'conversational';
  const voice = [`${formality} register`];
  if (h.voice.humor) voice.push(`humour: ${h.voice.humor}`);
  if (h.voice.sentence_rhythm) voice.push(`rhythm: ${h.voice.sentence_rhythm}`);
  lines.push(`Voice: ${voice.join(', ')}.`);
  if (h.voice.vocabulary_markers.length) lines.push(`Words you like: ${join(h.voice.vocabulary_markers, 8)}.`);
  if (h.interests.length) lines.push(`Interests: ${join(h.interests)}.`);
  if (h.style) lines.push(`Style: ${h.style}`);
  if (h.aspirations) lines.push(`Aspirations: ${h.aspirations}`);
  lines.push(
    'Always confirm before acting on the creator’s behalf, and never choose for the creator.',
    'Use what you remember when it helps, and say so honestly when you do not know or do not remember.',
  );
  return lines.join('\n');
}
