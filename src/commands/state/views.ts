import type { LimbicSnapshot } from '../../core/limbic/types.js';
import { TIER_NAMES } from '../../core/devices/trust-tiers.js';
import { date } from '../args.js';
import type { View } from '../output.js';

const bar = (x: number, width = 20): string => {
  const filled = Math.round(x * width);
  return `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
};

export function stateView(s: LimbicSnapshot): View {
  const flags = [s.slumber && 'slumber', s.crisis && 'crisis', s.elastic && 'elastic', ...s.flags]
    .filter(Boolean)
    .join(', ');
  return {
    kind: 'fields',
    fields: [
      ['trust', `${bar(s.trust)} ${s.trust.toFixed(3)}`],
      ['warmth', `${bar(s.warmth)} ${s.warmth.toFixed(3)}`],
      ['arousal', `${bar(s.arousal)} ${s.arousal.toFixed(3)}`],
      ['valence', `${bar(s.valence)} ${s.valence.toFixed(3)}`],
      ['posture', s.posture],
      ['tier', `${s.tier} (${TIER_NAMES[s.tier]})`],
      ['turns', s.interactionCount],
      ['last seen', date(s.lastInteractionAt)],
      ['flags', flags || '–'],
    ],
  };
}
