/**
 * Trust tiers are enforced, not advisory (docs/domain.md): an action above the current tier is refused with a clear
 * message and exit code 7.
 */
import { ProgenyError } from '../errors.js';
import { trustTier } from '../limbic/rules.js';
import { act } from '../hints.js';

export const TIER_NAMES = [
  'advisory only',
  'may draft',
  'may act on your files with confirmation',
  'may act and report',
] as const;

export function requireTier(trust: number, needed: 1 | 2 | 3, action: string): void {
  const tier = trustTier(trust);
  if (tier < needed) {
    throw new ProgenyError(
      'TRUST_TIER',
      `"${action}" needs trust tier ${needed} (${TIER_NAMES[needed]}); current tier is ${tier} (${TIER_NAMES[tier]})`,
      {
        hint: `trust is ${trust.toFixed(2)}; it is earned through conversation`,
        actions: [act('state.why', { key: 'trust' })],
      },
    );
  }
}
