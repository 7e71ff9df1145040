/** Width-aware wrapping of styled text: styles apply per fragment, so a line break never leaves an escape open. */

export type Paint = (s: string) => string;

export interface Segment {
  text: string;
  paint?: Paint;
}

// East Asian wide and emoji ranges take two cells; enough for chat text without a full wcwidth table.
const WIDE =
  /[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\u{1f300}-\u{1f64f}\u{1f900}-\u{1f9ff}\u{20000}-\u{3fffd}]/u;
// eslint-disable-next-line no-control-regex -- matching colour escapes is the point
const ANSI = /\x1b\[[0-9;]*m/g;

export function charWidth(ch: string): number {
  return WIDE.test(ch) ? 2 : 1;
}

/** Visible cells of a string (ANSI colour codes ignored). */
export function visibleWidth(s: string): number {
  let w = 0;
  for (const ch of s.replace(ANSI, '')) w += charWidth(ch);
  return w;
}

const paint = (seg: Segment, text: string): string => (seg.paint ? seg.paint(text) : text);

/** Splits text into pieces of at most `width` cells (for words longer than a line). */
function hardBreak(text: string, width: number): string[] {
  const out: string[] = [];
  let cur = '';
  let w = 0;
  for (const ch of text) {
    const cw = charWidth(ch);
    if (w + cw > width && cur) {
      out.push(cur);
      cur = '';
      w = 0;
    }
    cur += ch;
    w += cw;
  }
  if (cur) out.push(cur);
  return out;
}

/**
 * Greedy word wrap of segments into lines of at most `width` cells. `indent` starts the first line and `hang` every
 * following one (list bullets, quote bars); both count towards the width.
 */
export function wrapSegments(segments: Segment[], width: number, indent = '', hang = indent): string[] {
  const lines: string[] = [];
  const hangW = visibleWidth(hang);
  let line = indent;
  let lineW = visibleWidth(indent);
  // Fragments of one segment on one line are painted together: fewer escape codes, same look.
  let run: { seg: Segment; text: string } | null = null;
  let pendingSpace: Segment | null = null;
  const flushRun = (): void => {
    if (run) line += paint(run.seg, run.text);
    run = null;
  };
  const append = (seg: Segment, text: string): void => {
    if (run && run.seg !== seg) flushRun();
    run ??= { seg, text: '' };
    run.text += text;
    lineW += visibleWidth(text);
  };
  const newLine = (): void => {
    flushRun();
    lines.push(line.trimEnd());
    line = hang;
    lineW = hangW;
    pendingSpace = null;
  };
  const avail = Math.max(1, width - hangW);
  for (const seg of segments) {
    for (const word of seg.text.split(/( +)/)) {
      if (!word) continue;
      if (word.startsWith(' ')) {
        pendingSpace = seg;
        continue;
      }
      const w = visibleWidth(word);
      const space = pendingSpace !== null && lineW > hangW;
      if (lineW + (space ? 1 : 0) + w > width && lineW > hangW) newLine();
      else if (space && pendingSpace) append(pendingSpace, ' ');
      pendingSpace = null;
      for (const piece of w > avail ? hardBreak(word, avail) : [word]) {
        if (lineW + visibleWidth(piece) > width && lineW > hangW) newLine();
        append(seg, piece);
      }
    }
  }
  flushRun();
  if (line.trim() || !lines.length) lines.push(line.trimEnd());
  return lines;
}

/** Cuts a plain line to `width` cells, breaking long lines (code, tables) instead of letting the terminal wrap them. */
export function breakLine(text: string, width: number): string[] {
  return text ? hardBreak(text, Math.max(1, width)) : [''];
}
