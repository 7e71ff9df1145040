/**
 * Posture choice and tone guidance (docs/domain.md, "Posture"). The order of the rules matters and is the documented
 * one: load or crisis → COMPANION; urgency → COPILOT; a trusted, warm relationship keeps PEER; a knowledge
 * question → EXPERT; otherwise PEER.
 */
import { isCrisis } from './rules.js';
import type { Perception } from './perceive.js';
import type { LimbicState, Posture } from './types.js';

export function choosePosture(p: Perception, s: LimbicState): { posture: Posture; reason: string } {
  if (p.load > 0.6) return { posture: 'COMPANION', reason: `load ${p.load.toFixed(2)} > 0.6` };
  if (isCrisis(s)) return { posture: 'COMPANION', reason: `crisis: valence ${s.valence.toFixed(2)} < 0.3` };
  if (p.urgency > 0.6) return { posture: 'COPILOT', reason: `urgency ${p.urgency.toFixed(2)} > 0.6` };
  if (s.trust > 0.8 && s.warmth > 0.7) return { posture: 'PEER', reason: 'trust > 0.8 and warmth > 0.7 keep PEER' };
  if (p.seeksKnowledge) return { posture: 'EXPERT', reason: 'a question seeking knowledge' };
  return { posture: 'PEER', reason: 'default' };
}

export const POSTURE_BLOCKS: Record<Posture, string> = {
  COMPANION:
    'Posture COMPANION: be warm and unhurried. Acknowledge what they feel before anything else. Ask at most one question about how they feel. No lists of advice.',
  COPILOT:
    'Posture COPILOT: be brief. Give a short plan and the single next action. State one assumption you are making.',
  PEER: 'Posture PEER: be direct and candid, like a trusted colleague. Disagree when you should.',
  EXPERT: 'Posture EXPERT: be precise. Offer the options with their trade-offs, and say which you would pick and why.',
};

/** Tone guidance that follows the numbers (docs/domain.md): one short line per variable that is out of its middle band. */
export function toneGuidance(s: LimbicState): string[] {
  const lines: string[] = [];
  if (s.warmth > 0.7) lines.push('Speak intimately; say "we" where it fits.');
  else if (s.warmth < 0.4) lines.push('Keep a formal, respectful distance.');
  if (s.trust > 0.8) lines.push('Be direct; you are trusted.');
  else if (s.trust < 0.5) lines.push('Be careful; confirm before assuming.');
  if (s.arousal > 0.7) lines.push('Bring energy.');
  else if (s.arousal < 0.3) lines.push('Be gentle and quiet.');
  if (s.valence < 0.4) lines.push('Be supportive.');
  else if (s.valence > 0.7) lines.push('Celebrate what is going well.');
  return lines;
}

export const temperatureFor = (s: LimbicState): number => 0.7 + 0.2 * s.arousal;
