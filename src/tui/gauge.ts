/** Text gauges for the limbic variables, shared by the side panel and /state. */
import type { LimbicSnapshot } from '../core/limbic/types.js';

export const GAUGE_VARIABLES = ['trust', 'warmth', 'arousal', 'valence'] as const;

export function bar(x: number, width: number): string {
  const filled = Math.max(0, Math.min(width, Math.round(x * width)));
  return '█'.repeat(filled) + '░'.repeat(width - filled);
}

export function gaugeLines(s: LimbicSnapshot, barWidth: number): string[] {
  return GAUGE_VARIABLES.map((v) => `${v.padEnd(7)} ${bar(s[v], barWidth)} ${s[v].toFixed(2)}`);
}
