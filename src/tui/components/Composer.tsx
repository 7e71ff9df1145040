/**
 * The input box: multi-line editing (editor.ts), history, paste, slash completion. Its text lives here, not in the
 * app state, so a keystroke redraws only this component, however long the conversation is.
 */
import { Box, Text, useInput, type Key } from 'ink';
import { useCallback, useRef, useState } from 'react';
import { editorKey, emptyEditor, type EditorEffect, type EditorState } from '../editor.js';
import type { Theme } from '../theme.js';
import { SlashMenu } from './SlashMenu.js';

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
}

function CursorLine({
  line,
  cursor,
  prefix,
  theme,
}: {
  line: string;
  cursor: number | null;
  prefix: string;
  theme: Theme;
}) {
  if (cursor === null) {
    return (
      <Text>
        <Text color={theme.ink.dim}>{prefix}</Text>
        {line}
      </Text>
    );
  }
  return (
    <Text>
      <Text color={theme.ink.accent}>{prefix}</Text>
      {line.slice(0, cursor)}
      <Text inverse>{line[cursor] ?? ' '}</Text>
      {line.slice(cursor + 1)}
    </Text>
  );
}

export function Composer({
  initialText = '',
  onEffect,
  history,
  busy,
  width,
  theme,
  onKey,
  maxLines = 10,
}: ComposerProps) {
  const [ed, setEd] = useState<EditorState>(() => ({ ...emptyEditor, text: initialText, cursor: initialText.length }));
  const edRef = useRef(ed);
  const handler = useCallback(
    (input: string, key: Key) => {
      const { ed: next, effect } = editorKey(edRef.current, input, key, history);
      // While a reply streams, Enter keeps the text: it can be sent once the reply is done.
      if (effect?.type === 'submit' && busy) return;
      edRef.current = next;
      setEd(next);
      onKey?.();
      if (effect) onEffect(effect);
    },
    [history, busy, onEffect, onKey],
  );
  useInput(handler);

  const lines = ed.text.split('\n');
  let offset = 0;
  let cursorLine = 0;
  const rows = lines.map((line, i) => {
    const start = offset;
    offset += line.length + 1;
    const cur = ed.cursor >= start && ed.cursor <= start + line.length ? ed.cursor - start : null;
    if (cur !== null) cursorLine = i;
    return <CursorLine key={i} line={line} cursor={cur} prefix={i === 0 ? '› ' : '  '} theme={theme} />;
  });
  // A long paste shows a window around the cursor, so the input never outgrows the screen.
  const first = Math.min(Math.max(0, cursorLine - maxLines + 1), Math.max(0, lines.length - maxLines));
  const hiddenAbove = first;
  const hiddenBelow = Math.max(0, lines.length - first - maxLines);
  return (
    <Box flexDirection="column" width={width}>
      <Box
        flexDirection="column"
        borderStyle="round"
        borderColor={busy ? theme.ink.dim : theme.ink.accent}
        paddingX={1}
      >
        {hiddenAbove ? <Text color={theme.ink.dim}> ↑ {hiddenAbove} more lines</Text> : null}
        {rows.slice(first, first + maxLines)}
        {hiddenBelow ? <Text color={theme.ink.dim}> ↓ {hiddenBelow} more lines</Text> : null}
      </Box>
      {ed.text.startsWith('/') ? <SlashMenu input={ed.text} theme={theme} /> : null}
    </Box>
  );
}
