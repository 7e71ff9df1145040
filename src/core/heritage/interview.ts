/**
 * The convergence interview of `progeny init --interview` (docs/domain.md): questions in five phases whose answers are
 * stored and summarised into the heritage. Summarising is deterministic (no model needed): answers are split into
 * short items and placed into the fields each phase speaks to.
 */
import type { Heritage } from './types.js';

export interface InterviewQuestion {
  id: string;
  phase: string;
  text: string;
}

export const INTERVIEW: InterviewQuestion[] = [
  { id: 'creator', phase: 'introductions', text: 'What should I call you?' },
  { id: 'name', phase: 'introductions', text: 'What would you like to call me?' },
  { id: 'boundaries', phase: 'shadow & shield', text: 'What should I never do, even if you ask in a hurry?' },
  { id: 'shield', phase: 'shadow & shield', text: 'What do you want me to help protect you from?' },
  { id: 'load', phase: 'load & light', text: 'What weighs on you most days?' },
  { id: 'light', phase: 'load & light', text: 'What lightens the load?' },
  { id: 'values', phase: 'moral compass', text: 'Which values should guide me when you are not sure yourself?' },
  { id: 'voice', phase: 'resonance', text: 'How should I sound — formal or casual, and with what kind of humour?' },
  { id: 'interests', phase: 'resonance', text: 'What are you curious about these days?' },
  { id: 'traits', phase: 'mirror test', text: 'Describe the companion you want in three words.' },
  { id: 'aspiration', phase: 'mirror test', text: 'A year from now, what would tell you I was worth having?' },
];

export type InterviewAnswers = Partial<Record<string, string>>;

/** "a, b and c; d" → ["a", "b", "c", "d"], trimmed, deduplicated, at most `max` items of ≤ 120 characters. */
export function splitItems(answer: string | undefined, max = 8): string[] {
  if (!answer) return [];
  const items = answer
    .split(/[,;\n]|\band\b/i)
    .map((s) => s.trim().replace(/[.!]+$/, ''))
    .filter((s) => s.length > 0)
    .map((s) => s.slice(0, 120));
  return [...new Set(items)].slice(0, max);
}

function formalityOf(voice: string | undefined, fallback: number): number {
  if (!voice) return fallback;
  const v = voice.toLowerCase();
  if (/\b(formal|polite|professional)\b/.test(v) && !/\binformal\b/.test(v)) return 0.75;
  if (/\b(casual|informal|relaxed|friendly)\b/.test(v)) return 0.25;
  return fallback;
}

function humourOf(voice: string | undefined, fallback: string): string {
  const m = voice?.match(/\b(dry|gentle|playful|dark|silly|witty|no)\s+hum(ou)?r\b/i);
  if (!m) return fallback;
  return (m[1] as string).toLowerCase() === 'no' ? 'none' : (m[1] as string).toLowerCase();
}

export function summariseInterview(template: Heritage, a: InterviewAnswers): Heritage {
  const keep = (xs: string[], extra: string[]): string[] => [...new Set([...xs, ...extra])].slice(0, 16);
  const notes = [
    a.load && `Weighs on them: ${a.load}`,
    a.light && `Lightens the load: ${a.light}`,
    a.shield && `Protect them from: ${a.shield}`,
  ]
    .filter(Boolean)
    .join('\n');
  return {
    ...template,
    name: a.name?.trim() || template.name,
    creator: a.creator?.trim() || template.creator,
    core_traits: splitItems(a.traits).length ? splitItems(a.traits) : template.core_traits,
    values: keep(splitItems(a.values), template.values),
    boundaries: keep(splitItems(a.boundaries), template.boundaries),
    voice: {
      ...template.voice,
      formality: formalityOf(a.voice, template.voice.formality),
      humor: humourOf(a.voice, template.voice.humor),
    },
    interests: splitItems(a.interests).length ? splitItems(a.interests) : template.interests,
    aspirations: a.aspiration?.trim() || template.aspirations,
    notes: [template.notes, notes].filter(Boolean).join('\n'),
  };
}
