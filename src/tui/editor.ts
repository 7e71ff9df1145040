/**
 * The composer's line editor as a pure function of (state, key): multi-line text with a cursor, history, paste and
 * completion. Keys arrive as Ink reports them (useInput); bracketed paste arrives as "[200~", the text, "[201~".
 */
import type { Key } from 'ink';
import { completeInput, completions } from './slash.js';

export interface EditorState {
  text: string;
  cursor: number;
  /** Position in the history while browsing it (null: editing the draft). */
  histIndex: number | null;
  draft: string;
  pasting: boolean;
  /** Set while Tab cycles through ambiguous completions: the input it started from and the Tabs so far. */
  tab: { from: string; n: number } | null;
  /** Ctrl+X was pressed: the next key completes a two-key command (Ctrl+X Ctrl+E: $EDITOR). */
  ctrlX: boolean;
  /** Ctrl+R history search: what was typed, the match shown (index in history), the text before the search. */
  search: { query: string; index: number | null; draft: string } | null;
}

export type EditorEffect =
  | { type: 'submit'; text: string; replace?: boolean }
  | { type: 'external'; text: string }
  | { type: 'interrupt'; hadText: boolean }
  | { type: 'exit' }
  | { type: 'toggleRecall' }
  | { type: 'redraw' };

export interface EditorResult {
  ed: EditorState;
  effect?: EditorEffect;
}

export const emptyEditor: EditorState = {
  text: '',
  cursor: 0,
  histIndex: null,
  draft: '',
  pasting: false,
  tab: null,
  ctrlX: false,
  search: null,
};

const segmenter = new Intl.Segmenter();

/** Where the grapheme before `c` starts: Backspace and Left never split an emoji or an accented letter. */
export function prevBoundary(t: string, c: number): number {
  if (c <= 0) return 0;
  const from = lineStart(t, c - 1);
  let last = from;
  for (const { index } of segmenter.segment(t.slice(from, c))) last = from + index;
  return last;
}

/** Where the grapheme at `c` ends. */
export function nextBoundary(t: string, c: number): number {
  if (c >= t.length) return t.length;
  const segments = segmenter.segment(t.slice(c, lineEnd(t, c + 1) + 1));
  const first = segments.containing(0);
  return first ? c + first.segment.length : t.length;
}

/** Text with every lone surrogate replaced (U+FFFD): nothing half a character is ever sent, saved or remembered. */
export const wellFormed = (s: string): string =>
  s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');

// Ink strips the leading ESC of the paste markers; accept both forms.
const isPasteStart = (s: string): boolean => s === '[200~' || s === '\x1b[200~';
const isPasteEnd = (s: string): boolean => s === '[201~' || s === '\x1b[201~';

const insert = (ed: EditorState, raw: string): EditorState => {
  const s = wellFormed(raw);
  return {
    ...ed,
    text: ed.text.slice(0, ed.cursor) + s + ed.text.slice(ed.cursor),
    cursor: ed.cursor + s.length,
    histIndex: null,
  };
};

const set = (ed: EditorState, text: string, cursor = text.length): EditorState => ({ ...ed, text, cursor });

const lineStart = (t: string, c: number): number => t.lastIndexOf('\n', c - 1) + 1;
const lineEnd = (t: string, c: number): number => (t.indexOf('\n', c) === -1 ? t.length : t.indexOf('\n', c));

/** Moves the cursor one line up (-1) or down (+1), keeping the column; null at the first/last line. */
function moveLine(ed: EditorState, dir: -1 | 1): EditorState | null {
  const { text, cursor } = ed;
  const start = lineStart(text, cursor);
  const col = cursor - start;
  if (dir < 0) {
    if (start === 0) return null;
    const prevStart = lineStart(text, start - 1);
    return { ...ed, cursor: Math.min(prevStart + col, start - 1) };
  }
  const end = lineEnd(text, cursor);
  if (end === text.length) return null;
  const nextEnd = lineEnd(text, end + 1);
  return { ...ed, cursor: Math.min(end + 1 + col, nextEnd) };
}

function browse(ed: EditorState, dir: -1 | 1, history: readonly string[]): EditorState {
  if (!history.length) return ed;
  if (ed.histIndex === null) {
    if (dir > 0) return ed;
    const i = history.length - 1;
    return { ...set(ed, history[i] ?? ''), histIndex: i, draft: ed.text };
  }
  const i = ed.histIndex + dir;
  if (i < 0) return ed;
  if (i >= history.length) return { ...set(ed, ed.draft), histIndex: null };
  return { ...set(ed, history[i] ?? ''), histIndex: i };
}

const normalise = (s: string): string => s.replace(/\r\n?/g, '\n').replace(/\t/g, '  ');

export function editorKey(ed: EditorState, input: string, key: Key, history: readonly string[] = []): EditorResult {
  if (ed.search) return searchKey(ed, input, key, history);
  if (ed.ctrlX) {
    const next = { ...ed, ctrlX: false };
    return key.ctrl && input === 'e' ? { ed: next, effect: { type: 'external', text: ed.text } } : { ed: next };
  }
  if (key.ctrl && input === 'x' && !ed.pasting) return { ed: { ...ed, ctrlX: true } };
  if (key.ctrl && input === 'r' && !ed.pasting)
    return { ed: { ...ed, search: { query: '', index: null, draft: ed.text } } };
  const r = applyKey(ed, input, key, history);
  return key.tab || !r.ed.tab ? r : { ...r, ed: { ...r.ed, tab: null } };
}

function tab(ed: EditorState): EditorState {
  if (ed.tab) {
    const n = ed.tab.n + 1;
    return { ...set(ed, completeInput(ed.text, { from: ed.tab.from, n })), tab: { from: ed.tab.from, n } };
  }
  const text = completeInput(ed.text);
  const cycling = completions(ed.text).length > 1 && text === completeInput(ed.text, { from: ed.text, n: 0 });
  return { ...set(ed, text), tab: cycling ? { from: ed.text, n: 0 } : null };
}

function applyKey(ed: EditorState, input: string, key: Key, history: readonly string[]): EditorResult {
  if (isPasteStart(input)) return { ed: { ...ed, pasting: true } };
  if (isPasteEnd(input)) return { ed: { ...ed, pasting: false } };
  if (ed.pasting) return { ed: insert(ed, normalise(input)) };

  if (key.ctrl) {
    switch (input) {
      case 'c':
        return { ed: emptyEditor, effect: { type: 'interrupt', hadText: ed.text.length > 0 } };
      case 'd':
        return ed.text
          ? { ed: set(ed, ed.text.slice(0, ed.cursor) + ed.text.slice(nextBoundary(ed.text, ed.cursor)), ed.cursor) }
          : { ed, effect: { type: 'exit' } };
      case 'o':
        return { ed, effect: { type: 'toggleRecall' } };
      case 'l':
        return { ed, effect: { type: 'redraw' } };
      case 'a':
        return { ed: { ...ed, cursor: lineStart(ed.text, ed.cursor) } };
      case 'e':
        return { ed: { ...ed, cursor: lineEnd(ed.text, ed.cursor) } };
      case 'u': {
        const s = lineStart(ed.text, ed.cursor);
        return { ed: set(ed, ed.text.slice(0, s) + ed.text.slice(ed.cursor), s) };
      }
      case 'k':
        return { ed: set(ed, ed.text.slice(0, ed.cursor) + ed.text.slice(lineEnd(ed.text, ed.cursor)), ed.cursor) };
      case 'w': {
        const before = ed.text.slice(0, ed.cursor).replace(/\S+\s*$/, '');
        return { ed: set(ed, before + ed.text.slice(ed.cursor), before.length) };
      }
      case 'j':
        return { ed: insert(ed, '\n') };
      default:
        return { ed };
    }
  }
  if (key.return) {
    if (key.meta) return { ed: insert(ed, '\n') };
    if (ed.text.slice(0, ed.cursor).endsWith('\\'))
      return { ed: insert(set(ed, ed.text.slice(0, ed.cursor - 1) + ed.text.slice(ed.cursor), ed.cursor - 1), '\n') };
    if (!ed.text.trim()) return { ed: emptyEditor };
    return { ed: emptyEditor, effect: { type: 'submit', text: ed.text } };
  }
  if (key.escape) return { ed: emptyEditor };
  if (key.tab) return { ed: tab(ed) };
  if (key.backspace || key.delete) {
    if (ed.cursor === 0) return { ed };
    const from = prevBoundary(ed.text, ed.cursor);
    return { ed: set(ed, ed.text.slice(0, from) + ed.text.slice(ed.cursor), from) };
  }
  if (key.leftArrow) return { ed: { ...ed, cursor: prevBoundary(ed.text, ed.cursor) } };
  if (key.rightArrow) return { ed: { ...ed, cursor: nextBoundary(ed.text, ed.cursor) } };
  if (key.home) return { ed: { ...ed, cursor: lineStart(ed.text, ed.cursor) } };
  if (key.end) return { ed: { ...ed, cursor: lineEnd(ed.text, ed.cursor) } };
  if (key.upArrow) return { ed: moveLine(ed, -1) ?? browse(ed, -1, history) };
  if (key.downArrow) return { ed: moveLine(ed, 1) ?? browse(ed, 1, history) };
  if (key.pageUp || key.pageDown) return { ed };
  // Ctrl+J arrives as a bare line feed. Several characters at once are fast typing (or a scripted terminal) when
  // only the last is a carriage return: send them. With a line break inside, it is an unbracketed paste: insert.
  if (input === '\n') return { ed: insert(ed, '\n') };
  if (input.length > 1 && /^[^\r\n]+\r$/.test(input))
    return editorKey(insert(ed, input.slice(0, -1)), '\r', { ...key, return: true }, history);
  if (input) return { ed: insert(ed, normalise(input)) };
  return { ed };
}

/** The newest history entry before `from` (exclusive) that contains `query`, or null. */
function findBack(history: readonly string[], query: string, from: number): number | null {
  const q = query.toLowerCase();
  for (let i = Math.min(from, history.length) - 1; i >= 0; i--)
    if ((history[i] ?? '').toLowerCase().includes(q)) return i;
  return null;
}

/**
 * Ctrl+R, as in a shell: typing narrows to the newest input containing the text, Ctrl+R again goes further back,
 * Enter or a movement key takes the match into the input (to edit or send), Esc or Ctrl+G puts back what was there.
 */
function searchKey(ed: EditorState, input: string, key: Key, history: readonly string[]): EditorResult {
  const s = ed.search;
  if (!s) return { ed };
  if (key.escape || (key.ctrl && (input === 'g' || input === 'c')))
    return { ed: { ...set(ed, s.draft), search: null } };
  if (key.ctrl && input === 'r') {
    const index = findBack(history, s.query, s.index ?? history.length) ?? s.index;
    return { ed: { ...ed, search: { ...s, index } } };
  }
  const accept = (): EditorState => ({
    ...set(ed, s.index === null ? s.draft : (history[s.index] ?? '')),
    search: null,
  });
  if (key.return || key.leftArrow || key.rightArrow || key.upArrow || key.downArrow || key.tab) return { ed: accept() };
  const query =
    key.backspace || key.delete ? s.query.slice(0, prevBoundary(s.query, s.query.length)) : s.query + wellFormed(input);
  if (key.ctrl || key.meta) return { ed };
  return { ed: { ...ed, search: { ...s, query, index: query ? findBack(history, query, history.length) : null } } };
}
