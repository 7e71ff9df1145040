/**
 * The input box: multi-line editing (editor.ts), history, paste, slash completion. Its text lives here, not in the
 * app state, so a keystroke redraws only this component, however long the conversation is.
 */
import { Box, Text, useInput, type Key } from 'ink';
import { useCallback, useEffect, useRef, useState } from 'react';
import { editorKey, emptyEditor, nextBoundary, type EditorEffect, type EditorState } from '../editor.js';
import type { Theme } from '../theme.js';
import { graphemes, oneLine, visibleWidth } from '../wrap.js';
import { menuRows, SlashMenu } from './SlashMenu.js';

export interface ComposerProps {
  initialText?: string;
  onEffect(effect: EditorEffect): void;
  history: readonly string[];
  busy: boolean;
  width: number;
  theme: Theme;
  /** Most input lines shown at once (a tall live region makes Ink redraw the whole screen). */
  maxLines?: number;
  /** Keystroke timing hook for the benchmark (PROGENY_TUI_TRACE). */
  onKey?: () => void;
  /** Told the rows the input box (and its completion menu) takes, when that changes. */
  onHeight?: (rows: number) => void;
  /** False while another part of the screen (a picker) takes the keys. */
  active?: boolean;
  injected?: Injected | null;
}

/** One screen row of the input: a piece of a logical line, with the cursor's grapheme shown inverse. */
function Row({ text, cursor, prefix, theme }: { text: string; cursor: number | null; prefix: string; theme: Theme }) {
  if (cursor === null) {
    return (
      <Text>
        <Text color={theme.ink.dim}>{prefix}</Text>
        {text}
      </Text>
    );
  }
  const at = text.slice(cursor, nextBoundary(text, cursor)) || ' ';
  return (
    <Text>
      <Text color={theme.ink.accent}>{prefix}</Text>
      {text.slice(0, cursor)}
      <Text inverse>{at}</Text>
      {text.slice(cursor + at.length)}
    </Text>
  );
}

interface VisualRow {
  text: string;
  cursor: number | null;
  first: boolean;
}

/**
 * The input cut into screen rows of `width` cells (between graphemes), with the cursor's row and column: the window
 * and the live region's height are counted in rows as the terminal shows them, not in logical lines.
 */
export function visualRows(text: string, cursor: number, width: number): { rows: VisualRow[]; cursorRow: number } {
  const rows: VisualRow[] = [];
  let cursorRow = 0;
  let offset = 0;
  for (const line of text.split('\n')) {
    let start = offset;
    let piece = '';
    let cells = 0;
    const push = (last: boolean): void => {
      const end = start + piece.length;
      const has = cursor >= start && (cursor < end || (last && cursor === end));
      if (has) cursorRow = rows.length;
      rows.push({ text: piece, cursor: has ? cursor - start : null, first: start === offset });
      start = end;
      piece = '';
      cells = 0;
    };
    for (const g of graphemes(line)) {
      const w = visibleWidth(g);
      // One cell stays free for the cursor at the end of a full row.
      if (cells + w > width - 1 && piece) push(false);
      piece += g;
      cells += w;
    }
    push(true);
    offset += line.length + 1;
  }
  return { rows, cursorRow };
}

/** Text put into the input box from outside it; a new `seq` replaces what is there. */
export interface Injected {
  text: string;
  seq: number;
  /** The text replaces the last message when sent (editing it). */
  replacing: boolean;
}

/**
 * The input box's editor state: keys go through editorKey (editor.ts) and its effects up to the screen; text injected
 * from outside replaces the input, and while it edits the last message a submit is marked as a replacement.
 */
function useEditor(o: {
  initialText: string;
  injected: Injected | null;
  history: readonly string[];
  onEffect(effect: EditorEffect): void;
  onKey: (() => void) | undefined;
  active: boolean;
}): { ed: EditorState; replacing: boolean } {
  const { initialText, injected, history, onEffect, onKey } = o;
  const [ed, setEd] = useState<EditorState>(() => ({ ...emptyEditor, text: initialText, cursor: initialText.length }));
  const edRef = useRef(ed);
  const [replacing, setReplacing] = useState(false);
  const replacingRef = useRef(false);
  replacingRef.current = replacing;
  useEffect(() => {
    if (!injected) return;
    const next = { ...emptyEditor, text: injected.text, cursor: injected.text.length };
    edRef.current = next;
    setEd(next);
    setReplacing(injected.replacing);
  }, [injected]);
  const handler = useCallback(
    (input: string, key: Key) => {
      const { ed: next, effect } = editorKey(edRef.current, input, key, history);
      edRef.current = next;
      setEd(next);
      onKey?.();
      if (replacingRef.current && (effect?.type === 'submit' || key.escape || !next.text)) setReplacing(false);
      if (effect?.type === 'submit' && replacingRef.current) onEffect({ ...effect, replace: true });
      else if (effect) onEffect(effect);
    },
    [history, onEffect, onKey],
  );
  useInput(handler, { isActive: o.active });
  return { ed, replacing };
}

/** The line under the input: history search, editing the last message, a pending Ctrl+X, or queueing while busy. */
function composerNote(
  ed: EditorState,
  history: readonly string[],
  replacing: boolean,
  busy: boolean,
): { found: string; note: string | null } {
  const search = ed.search;
  const found = search?.index !== null && search?.index !== undefined ? (history[search.index] ?? '') : '';
  const note = search
    ? `history search: "${search.query}"${search.query && !found ? ' (no match)' : ''} · Ctrl+R older · Enter takes it · Esc`
    : replacing
      ? 'editing your last message: Enter sends it in its place, Esc cancels'
      : ed.ctrlX
        ? 'Ctrl+X: Ctrl+E edits the input in $EDITOR'
        : busy && ed.text.trim() && !ed.text.startsWith('/')
          ? 'Enter queues it until the reply is done'
          : null;
  return { found, note };
}

export function Composer({
  initialText = '',
  onEffect,
  history,
  busy,
  width,
  theme,
  onKey,
  onHeight,
  maxLines = 10,
  active = true,
  injected = null,
}: ComposerProps) {
  const { ed, replacing } = useEditor({ initialText, injected, history, onEffect, onKey, active });

  // Inside the border (2) and padding (2), after the two-cell prompt.
  const { rows, cursorRow } = visualRows(ed.text, ed.cursor, Math.max(4, width - 6));
  // A long paste shows a window around the cursor, so the input never outgrows the screen.
  const first = Math.min(Math.max(0, cursorRow - maxLines + 1), Math.max(0, rows.length - maxLines));
  const hiddenAbove = first;
  const hiddenBelow = Math.max(0, rows.length - first - maxLines);
  const shown = rows
    .slice(first, first + maxLines)
    .map((r, i) => (
      <Row key={first + i} text={r.text} cursor={r.cursor} prefix={first + i === 0 ? '› ' : '  '} theme={theme} />
    ));
  const search = ed.search;
  const { found, note } = composerNote(ed, history, replacing, busy);
  const menu = ed.text.startsWith('/') && !search ? menuRows(ed.text) : 0;
  const height =
    2 +
    Math.min(search ? 1 : rows.length, maxLines) +
    (hiddenAbove ? 1 : 0) +
    (hiddenBelow ? 1 : 0) +
    menu +
    (note ? 1 : 0);
  useEffect(() => onHeight?.(height), [height, onHeight]);
  return (
    <Box flexDirection="column" width={width}>
      <Box
        flexDirection="column"
        borderStyle="round"
        borderColor={busy ? theme.ink.dim : theme.ink.accent}
        paddingX={1}
      >
        {search ? (
          <Text wrap="truncate-end">
            <Text color={theme.ink.accent}>↶ </Text>
            {oneLine(found || search.query, Math.max(4, width - 6))}
          </Text>
        ) : (
          <>
            {hiddenAbove ? <Text color={theme.ink.dim}> ↑ {hiddenAbove} more lines</Text> : null}
            {shown}
            {hiddenBelow ? <Text color={theme.ink.dim}> ↓ {hiddenBelow} more lines</Text> : null}
          </>
        )}
      </Box>
      {note ? (
        <Text color={theme.ink.dim} wrap="truncate-end">
          {note}
        </Text>
      ) : null}
      {menu ? <SlashMenu input={ed.text} theme={theme} /> : null}
    </Box>
  );
}
