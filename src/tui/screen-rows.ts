/**
 * How many screen rows the parts under the conversation take, so the live region (the streaming reply, the recall
 * line) is given only what is left. Ink redraws the whole session when its live region reaches the terminal's
 * height (it clears the screen and prints every static line again, /clear'ed ones included), so the live region must
 * always stay shorter than the screen.
 */
import stringWidth from 'string-width';
import type { LimbicSnapshot } from '../core/limbic/types.js';
import { GAUGE_VARIABLES } from './gauge.js';

/** Rows taken by a wrapping flex row of items (Ink's flexWrap) with `gap` cells between items on one row. */
export function flexRows(itemWidths: readonly number[], width: number, gap: number): number {
  let rows = 0;
  let used = -1;
  for (const w of itemWidths) {
    if (used < 0 || used + gap + w > width) {
      rows += Math.max(1, Math.ceil(w / width));
      used = Math.min(w, width);
    } else used += gap + w;
  }
  return Math.max(1, rows);
}

export const gaugeBarWidth = (width: number): number => (width >= 100 ? 8 : 5);

export function gaugeRows(state: LimbicSnapshot, width: number): number {
  const bar = gaugeBarWidth(width);
  const items = GAUGE_VARIABLES.map((v) => v.length + 1 + bar + 5);
  items.push(stringWidth(`posture ${state.posture}${state.crisis ? ' crisis' : ''}`));
  return flexRows(items, width, 2);
}

/** Rows of the text items of the status line. */
export const statusRows = (parts: readonly string[], width: number): number =>
  flexRows(
    parts.filter(Boolean).map((p) => stringWidth(p)),
    width,
    2,
  );
