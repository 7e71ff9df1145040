/**
 * Text measured and wrapped in terminal cells: string-width for widths (emoji, CJK, combining marks, ANSI codes
 * ignored), wrap-ansi for wrapping (grapheme-aware; a colour open at a break is closed and reopened), and
 * Intl.Segmenter wherever text is cut. Every line the screen prints is made here, so none is wider than asked.
 */
import stringWidth from 'string-width';
import wrapAnsi from 'wrap-ansi';

export type Paint = (s: string) => string;

export interface Segment {
  text: string;
  paint?: Paint;
}

/** Visible cells of a string (ANSI colour codes ignored). */
export const visibleWidth = (s: string): number => stringWidth(s);

const segmenter = new Intl.Segmenter();

/** The user-perceived characters of a string (a family emoji or an accented letter is one). */
export const graphemes = (s: string): string[] => Array.from(segmenter.segment(s), (x) => x.segment);

/** Splits a plain string into pieces of at most `width` cells, between graphemes. */
export function hardBreak(text: string, width: number): string[] {
  const out: string[] = [];
  let cur = '';
  let w = 0;
  for (const g of graphemes(text)) {
    const gw = stringWidth(g);
    if (w + gw > width && cur) {
      out.push(cur);
      cur = '';
      w = 0;
    }
    cur += g;
    w += gw;
  }
  if (cur || !out.length) out.push(cur);
  return out;
}

/**
 * Word wrap of styled text to `width` cells (words longer than a line are cut between graphemes). `indent` starts
 * the first line and `hang` every following one (labels, bullets, quote bars); both count towards the width.
 * Line breaks in the text are kept.
 */
export function wrapStyled(text: string, width: number, indent = '', hang = ' '.repeat(stringWidth(indent))): string[] {
  const avail = Math.max(1, width - Math.max(stringWidth(indent), stringWidth(hang)));
  const rows = wrapAnsi(text, avail, { hard: true, trim: true }).split('\n');
  return rows.map((r, i) => (i === 0 ? indent : hang) + r.trimEnd());
}

/** wrapStyled over painted segments (Markdown inline runs); a segment's text may hold a hard line break. */
export function wrapSegments(segments: Segment[], width: number, indent = '', hang?: string): string[] {
  const styled = segments
    .map((s) => (s.paint ? s.text.split('\n').map(s.paint).join('\n') : s.text))
    .join('')
    .replace(/[ \t]+\n/g, '\n');
  return wrapStyled(styled, width, indent, hang);
}

/**
 * Plain text as typed (messages, notices): each line wrapped on its own, its leading indentation kept and hung, so
 * pasted code and lists stay readable. A line break in the text stays a line break.
 */
export function wrapPlain(text: string, width: number, indent = '', hang = ' '.repeat(stringWidth(indent))): string[] {
  const out: string[] = [];
  text.split('\n').forEach((line, i) => {
    const lead = /^[ \t]*/.exec(line)?.[0].replace(/\t/g, '  ') ?? '';
    const keep = stringWidth(lead) < width / 2 ? lead : '';
    const first = (i === 0 ? indent : hang) + keep;
    out.push(...wrapStyled(line.trimStart(), width, first, hang + keep));
  });
  return out;
}

/** Cuts a styled line to pieces of `width` cells (code, raw source): no word wrap, nothing lost. */
export function breakLine(text: string, width: number): string[] {
  return text ? wrapAnsi(text, Math.max(1, width), { hard: true, trim: false, wordWrap: false }).split('\n') : [''];
}

/** The first line of `text` in at most `width` cells, cut between graphemes with "…" (and how many lines were left out). */
export function oneLine(text: string, width: number): string {
  const lines = text.trim().split('\n');
  const more = lines.length > 1 ? ` (+${lines.length - 1} lines)` : '';
  const first = (lines[0] ?? '').replace(/\s+/g, ' ');
  const room = Math.max(1, width - stringWidth(more));
  if (stringWidth(first) <= room) return first + more;
  let out = '';
  for (const g of graphemes(first)) {
    if (stringWidth(out + g) > room - 1) break;
    out += g;
  }
  return `${out}…${more}`;
}
