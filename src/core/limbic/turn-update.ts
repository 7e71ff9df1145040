/**
 * How one chat turn moves the limbic state (docs/domain.md): reunion first, then Δvalence = sentiment·0.1,
 * Δarousal = urgency·0.2, engagement earns trust and warmth slowly, hostility or dismissal costs them; every delta
 * bounded per turn and applied with the earned rule; then posture. Pure: the repository persists the result.
 */
import type { Perception } from './perceive.js';
import { choosePosture } from './posture.js';
import { applyDelta, boundDelta, earn, isReunion } from './rules.js';
import type { LimbicChange, LimbicState } from './types.js';

export interface TurnRules {
  maxDelta: number;
  elasticMaxDelta: number;
  reunionHours: number;
}

export function updateForTurn(
  start: LimbicState,
  p: Perception,
  now: number,
  rules: TurnRules,
): { state: LimbicState; changes: LimbicChange[] } {
  const changes: LimbicChange[] = [];
  const bound = (d: number): number => boundDelta(d, { elastic: start.elastic, ...rules });
  let s = start;

  if (isReunion(s, now, rules.reunionHours)) {
    const hours = (now - (s.lastInteractionAt as number)) / 3_600_000;
    if (s.arousal < 0.9) {
      changes.push({
        variable: 'arousal',
        before: s.arousal,
        after: 0.9,
        delta: 0.9 - s.arousal,
        cause: `reunion after ${hours.toFixed(0)} h away`,
      });
      s = { ...s, arousal: 0.9 };
    }
    const warmth = earn(s.warmth, 0.05);
    changes.push({ variable: 'warmth', before: s.warmth, after: warmth, delta: 0.05, cause: 'reunion' });
    s = { ...s, warmth };
  }

  s = applyDelta(s, 'valence', bound(p.sentiment * 0.1), `message sentiment ${p.sentiment.toFixed(2)}`, changes);
  s = applyDelta(s, 'arousal', bound(p.urgency * 0.2), `urgency ${p.urgency.toFixed(2)}`, changes);

  if (p.hostility > 0) {
    // Hostility or dismissal costs 0.02 … 0.05, scaled by how strong it was.
    const cost = -(0.02 + 0.03 * p.hostility);
    s = applyDelta(s, 'trust', bound(cost), `hostile or dismissive message (${p.hostility.toFixed(2)})`, changes);
    s = applyDelta(s, 'warmth', bound(cost), `hostile or dismissive message (${p.hostility.toFixed(2)})`, changes);
  } else if (p.substantive && p.sentiment >= 0) {
    // Engagement earns slowly: 0.01 for a substantive neutral message, up to 0.03 for a warm one.
    const gain = 0.01 + 0.02 * Math.max(0, p.sentiment);
    s = applyDelta(s, 'trust', bound(gain), 'substantive engagement', changes);
    s = applyDelta(
      s,
      'warmth',
      bound(gain),
      p.sentiment > 0 ? 'warm, substantive message' : 'substantive engagement',
      changes,
    );
  }

  const { posture, reason } = choosePosture(p, s);
  if (posture !== s.posture) {
    changes.push({ variable: 'posture', before: s.posture, after: posture, cause: reason });
    s = { ...s, posture };
  }
  s = { ...s, interactionCount: s.interactionCount + 1, lastInteractionAt: now };
  return { state: s, changes };
}
